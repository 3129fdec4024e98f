package dev.fulcrum.balancing.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BkdrHashTest {

    private static final HashFunction BKDR = HashFunctions.BKDR;

    private static long bkdrOf(String ascii) {
        return BKDR.hashBytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    /** Partow's BKDRHash: {@code unsigned int hash = 0; hash = hash * 131 + str[i]}. */
    private static int partow32(byte[] key) {
        int hash = 0;
        for (byte b : key) {
            hash = hash * 131 + (b & 0xFF);
        }
        return hash;
    }

    @Test
    void bytesFoldWithSeed131() {
        assertThat(BKDR.hashBytes(new byte[0])).isZero();
        assertThat(bkdrOf("a")).isEqualTo(97);
        assertThat(bkdrOf("ab")).isEqualTo(97 * 131 + 98);
        assertThat(bkdrOf("abc")).isEqualTo((97L * 131 + 98) * 131 + 99);
    }

    @Test
    void bytesAreReadUnsigned() {
        assertThat(BKDR.hashBytes(new byte[] { (byte) 0xFF })).isEqualTo(255);
        assertThat(BKDR.hashBytes(new byte[] { (byte) 0x80, 1 })).isEqualTo(128 * 131 + 1);
    }

    @Test
    void lowThirtyTwoBitsAreTheClassic32BitBkdr() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1_000; i++) {
            byte[] key = new byte[random.nextInt(64)];
            for (int j = 0; j < key.length; j++) {
                key[j] = (byte) random.nextInt(256);
            }
            assertThat((int) BKDR.hashBytes(key)).isEqualTo(partow32(key));
        }
    }

    @Test
    void longsHashTheirSignedDecimalText() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 10_000; i++) {
            long key = random.nextLong() >> random.nextInt(64);
            assertThat(BKDR.hashLong(key)).as("%d", key).isEqualTo(bkdrOf(Long.toString(key)));
        }
        for (long key : new long[] { 0, 9, 10, -9, -10, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
                                     Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1 }) {
            assertThat(BKDR.hashLong(key)).as("%d", key).isEqualTo(bkdrOf(Long.toString(key)));
        }
    }

    @Test
    void doublesHashTheirPythonRepr() {
        assertThat(BKDR.hashDouble(1e16)).isEqualTo(bkdrOf("1e+16"));
        assertThat(BKDR.hashDouble(0.1)).isEqualTo(bkdrOf("0.1"));
        assertThat(BKDR.hashDouble(-0.0)).isEqualTo(bkdrOf("-0.0"));
        assertThat(BKDR.hashDouble(Double.NaN)).isEqualTo(bkdrOf("nan"));
        assertThat(BKDR.hashDouble(Double.NEGATIVE_INFINITY)).isEqualTo(bkdrOf("-inf"));
    }

    @Test
    void wholeDoublesTakeTheAllocationFreePathToTheSameText() {
        // The fast path for whole doubles below 10^16 must agree with the general formatting.
        SplittableRandom random = new SplittableRandom(13);
        double[] edges = { 0.0, -0.0, 1.0, -1.0, 9_999_999_999_999_998.0, -9_999_999_999_999_998.0, 1e16, 1e15 };
        for (double key : edges) {
            assertThat(BKDR.hashDouble(key)).as("%s", key).isEqualTo(bkdrOf(PythonFloatRepr.repr(key)));
        }
        for (int i = 0; i < 10_000; i++) {
            double key = Math.rint((random.nextDouble() * 2 - 1) * Math.pow(10, random.nextInt(17)));
            assertThat(BKDR.hashDouble(key)).as("%s", key).isEqualTo(bkdrOf(PythonFloatRepr.repr(key)));
        }
    }

    @Test
    void nullBytesAreRejected() {
        assertThatThrownBy(() -> BKDR.hashBytes(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
    }
}
