package dev.fulcrum.balancing.hash;

import static dev.fulcrum.balancing.hash.PythonFloatRepr.repr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hand-picked cases; {@link GoldenVectorsTest} checks thousands more against CPython itself. */
class PythonFloatReprTest {

    @Test
    void wholeNumbersBelowTenToTheSixteenArePositionalWithDotZero() {
        assertThat(repr(1.0)).isEqualTo("1.0");
        assertThat(repr(-2.0)).isEqualTo("-2.0");
        assertThat(repr(1e15)).isEqualTo("1000000000000000.0");
        assertThat(repr(9_999_999_999_999_998.0)).isEqualTo("9999999999999998.0");
    }

    @Test
    void fromTenToTheSixteenOnTheExponentIsSignedAndTwoDigitsWide() {
        assertThat(repr(1e16)).isEqualTo("1e+16"); // Java: 1.0E16
        assertThat(repr(1.5e-7)).isEqualTo("1.5e-07");
        assertThat(repr(1e-5)).isEqualTo("1e-05");
        assertThat(repr(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
        assertThat(repr(Double.MIN_VALUE)).isEqualTo("5e-324");
    }

    @Test
    void smallNumbersDownToTenToTheMinusFourArePositional() {
        assertThat(repr(0.1)).isEqualTo("0.1");
        assertThat(repr(1e-4)).isEqualTo("0.0001");
        assertThat(repr(1.2e-4)).isEqualTo("0.00012");
        assertThat(repr(123456.789)).isEqualTo("123456.789");
    }

    @Test
    void digitsAreShortestEvenWhereJava17IsNot() {
        assertThat(repr(2.82879384806159E17)).isEqualTo("2.82879384806159e+17");
        assertThat(repr(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    }

    @Test
    void atAPowerOfTwoTheShortestMayLieAboveTheNearest() {
        // The round-trip interval below 2^-1017 is half as wide as above it.
        assertThat(repr(0x1p-1017)).isEqualTo("7.120236347223045e-307");
    }

    @Test
    void zerosInfinitiesAndNanHaveFixedText() {
        assertThat(repr(0.0)).isEqualTo("0.0");
        assertThat(repr(-0.0)).isEqualTo("-0.0");
        assertThat(repr(Double.POSITIVE_INFINITY)).isEqualTo("inf");
        assertThat(repr(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
        assertThat(repr(Double.NaN)).isEqualTo("nan");
        assertThat(repr(Double.longBitsToDouble(0xfff8_0000_0000_0001L))).isEqualTo("nan");
    }

    @Test
    void everyReprReadsBackAsTheSameDouble() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 20_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(value)) {
                assertThat(Double.parseDouble(repr(value))).as("%s", value).isEqualTo(value);
            }
        }
    }
}
