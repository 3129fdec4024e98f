package dev.fulcrum.balancing.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PythonHashTest {

    private static final HashFunction PYTHON = HashFunctions.PYTHON;
    private static final BigInteger MODULUS = BigInteger.valueOf(PythonHash.MODULUS);

    /**
     * Python's documented rule for any finite number, computed independently of the frexp loop:
     * the exact rational value {@code n * 2^e} modulo {@code P = 2^61 - 1} (negative powers of two by
     * their inverse modulo P), with the number's sign, and -1 mapped to -2.
     */
    private static long rationalHash(double value) {
        BigDecimal exact = new BigDecimal(value).abs();
        BigInteger numerator = exact.unscaledValue();
        // exact = numerator / 10^scale = numerator / (2^scale * 5^scale).
        int scale = Math.max(exact.scale(), 0);
        BigInteger fives = BigInteger.valueOf(5).pow(scale);
        BigInteger integral = exact.scale() < 0 ? numerator.multiply(BigInteger.TEN.pow(-exact.scale())) : numerator;
        long hash = integral.mod(MODULUS)
                            .multiply(fives.modInverse(MODULUS))
                            .multiply(BigInteger.TWO.modPow(BigInteger.valueOf(-scale), MODULUS))
                            .mod(MODULUS).longValueExact();
        hash = value < 0 ? -hash : hash;
        return hash == -1 ? -2 : hash;
    }

    @Test
    void doublesHashToTheirExactValueModuloTheMersennePrime() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(value)) {
                continue;
            }
            assertThat(PYTHON.hashDouble(value)).as("%s (bits %x)", value, Double.doubleToRawLongBits(value))
                                                .isEqualTo(rationalHash(value));
        }
    }

    @Test
    void subnormalDoublesHashByTheirExactValueToo() {
        for (double value : new double[] { Double.MIN_VALUE, -Double.MIN_VALUE, 3 * Double.MIN_VALUE,
                                           Math.nextDown(Double.MIN_NORMAL), Double.MIN_NORMAL }) {
            assertThat(PYTHON.hashDouble(value)).as("%s", value).isEqualTo(rationalHash(value));
        }
    }

    @Test
    void wholeDoublesHashLikeTheEqualLong() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            // At most 53 significant bits, of any magnitude up to 2^62, so the long is exactly a double.
            long key = (random.nextLong() >> 11 >> random.nextInt(53)) << random.nextInt(11);
            assertThat((long) (double) key).isEqualTo(key);
            assertThat(PYTHON.hashDouble(key)).as("%d", key).isEqualTo(PYTHON.hashLong(key));
        }
        assertThat(PYTHON.hashDouble(0x1p63)).isEqualTo(4); // 2^63 mod (2^61 - 1)
        assertThat(PYTHON.hashDouble(-0x1p63)).isEqualTo(PYTHON.hashLong(Long.MIN_VALUE)).isEqualTo(-4);
    }

    @Test
    void smallNonNegativeLongsHashToThemselves() {
        // Why this baseline spreads sequential keys no better than the keys themselves.
        for (long key : new long[] { 0, 1, 2, 12345, PythonHash.MODULUS - 1 }) {
            assertThat(PYTHON.hashLong(key)).isEqualTo(key);
        }
        assertThat(PYTHON.hashLong(PythonHash.MODULUS)).isZero();
        assertThat(PYTHON.hashLong(Long.MAX_VALUE)).isEqualTo(3);
    }

    @Test
    void minusOneIsReservedSoItHashesToMinusTwo() {
        assertThat(PYTHON.hashLong(-1)).isEqualTo(-2);
        assertThat(PYTHON.hashLong(-2)).isEqualTo(-2);
        assertThat(PYTHON.hashLong(-(1L << 61))).isEqualTo(-2); // -(2^61 mod P) = -1
        assertThat(PYTHON.hashDouble(-1.0)).isEqualTo(-2);
    }

    @Test
    void infinitiesHashToPlusOrMinus314159() {
        assertThat(PYTHON.hashDouble(Double.POSITIVE_INFINITY)).isEqualTo(314159);
        assertThat(PYTHON.hashDouble(Double.NEGATIVE_INFINITY)).isEqualTo(-314159);
    }

    @Test
    void everyNanHashesToZero() {
        assertThat(PYTHON.hashDouble(Double.NaN)).isZero();
        assertThat(PYTHON.hashDouble(Double.longBitsToDouble(0xfff0_0000_0000_0001L))).isZero();
        assertThat(PYTHON.hashDouble(Double.longBitsToDouble(0x7ff0_dead_beef_0000L))).isZero();
    }

    @Test
    void negativeZeroHashesLikeZero() {
        assertThat(PYTHON.hashDouble(-0.0)).isZero();
        assertThat(PYTHON.hashDouble(0.0)).isZero();
    }

    @Test
    void bytesHashAsZeroKeySipHash13AndNoBytesAsZero() {
        byte[] abc = { 'a', 'b', 'c' };
        assertThat(PYTHON.hashBytes(new byte[0])).isZero();
        // PYTHONHASHSEED=0 python3.11 -c "print(hash(b'abc'))"
        assertThat(PYTHON.hashBytes(abc)).isEqualTo(-4594863902769663758L);
        assertThat(PYTHON.hashBytes(abc)).isEqualTo(SipHash.hash(0, 0, abc, 1, 3));
    }

    @Test
    void nullBytesAreRejected() {
        assertThatThrownBy(() -> PYTHON.hashBytes(null)).isInstanceOf(NullPointerException.class)
                                                         .hasMessage("key");
    }
}
