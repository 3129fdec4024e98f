package dev.fulcrum.balancing.hash;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HashFunctionsTest {

    @Test
    void everyFunctionIsFoundByItsName() {
        assertThat(HashFunctions.names()).containsExactly("murmur3", "xxhash64", "bkdr", "python");
        for (String name : HashFunctions.names()) {
            assertThat(HashFunctions.byName(name).name()).isEqualTo(name);
        }
        assertThat(HashFunctions.byName("bkdr")).isSameAs(HashFunctions.BKDR);
        assertThat(HashFunctions.byName("python")).isSameAs(HashFunctions.PYTHON);
    }

    @Test
    void murmur3StaysTheDefault() {
        assertThat(HashFunctions.DEFAULT).isSameAs(HashFunctions.MURMUR3);
    }

    @Test
    void unknownNamesFindNothing() {
        assertThat(HashFunctions.byName("md5")).isNull();
        assertThat(HashFunctions.byName("Python")).isNull();
    }
}
