package dev.fulcrum.learned.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class KeyEncodingTest {

    /** The same values are pinned in the trainer's tests (test_training.py): both sides agree bit for bit. */
    @Test
    void encodesAsTheTrainerDoes() throws Exception {
        assertThat(KeyEncoding.ADDRESS.encode(InetAddress.getByName("10.1.2.3"))).isEqualTo(167838211.0);
        assertThat(KeyEncoding.ADDRESS.encode(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 4000))).isEqualTo(167838211.0);
        assertThat(KeyEncoding.ADDRESS.encode(InetAddress.getByName("2001:db8::1"))).isEqualTo(536939960.0);
        assertThat(KeyEncoding.HOST.encode("api.example.com")).isEqualTo(2866215460890663.0);
        assertThat(KeyEncoding.HOST.encode("A_b")).isEqualTo(2779614040283145.0);
        assertThat(KeyEncoding.NUMBER.encode(1.5)).isEqualTo(1.5);
    }

    @Test
    void whatAnEncodingCannotReadIsNaNNeverAnError() {
        assertThat(KeyEncoding.ADDRESS.encode("not resolved")).isNaN();
        assertThat(KeyEncoding.HOST.encode(42)).isNaN();
        assertThat(KeyEncoding.NUMBER.encode(null)).isNaN();
    }

    @Test
    void hostNamesKeepTheirOrder() {
        String[] sorted = {"a", "a-b", "a.b", "a0", "ab", "b", "example.com", "example.org", "zz"};
        for (int i = 1; i < sorted.length; i++) {
            assertThat(KeyEncoding.HOST.encode(sorted[i])).as(sorted[i]).isGreaterThan(KeyEncoding.HOST.encode(sorted[i - 1]));
        }
    }
}
