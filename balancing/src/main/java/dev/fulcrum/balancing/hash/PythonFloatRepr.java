package dev.fulcrum.balancing.hash;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr(float)}: the text {@link BkdrHash} hashes for a double key, because a Python
 * BKDR baseline hashes {@code str(key)}.
 *
 * <p>CPython (float_repr_style {@code 'short'}, every mainstream build since 3.1) prints the
 * shortest decimal that reads back as the same double, and of several shortest ones the one nearest
 * the double (ties to an even last digit): David Gay's {@code dtoa} mode 0. It then lays the digits
 * out as {@code PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)} does: with {@code d1d2...}
 * the digits and {@code 0.d1d2... × 10^decpt} the value,
 * <ul>
 *   <li>scientific when {@code decpt <= -4 || decpt > 16}: {@code d1[.d2...]e±XX}, the exponent
 *       signed and at least two digits ({@code 1e+16}, {@code 1.5e-07}, {@code 5e-324});</li>
 *   <li>otherwise positional, with {@code .0} added to a whole number ({@code 1000000000000000.0},
 *       {@code 0.0001});</li>
 *   <li>{@code 0.0}, {@code -0.0}, {@code inf}, {@code -inf} and {@code nan} (every NaN).</li>
 * </ul>
 *
 * <p>Java's {@link Double#toString(double)} is no substitute: it uses {@code E} notation from 10^7
 * on ({@code 1.0E16}) and, before JDK 19, is not always shortest ({@code 2.82879384806159E17}
 * prints with 18 digits). Digits here come from exact {@link BigDecimal} arithmetic instead, which
 * allocates; that is acceptable for a baseline hash, and the golden vectors pin every case.
 */
final class PythonFloatRepr {

    /** Seventeen significant digits always identify a double. */
    private static final int MAX_DIGITS = 17;

    private PythonFloatRepr() {
    }

    static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        boolean negative = Double.doubleToRawLongBits(value) < 0;
        if (Double.isInfinite(value)) {
            return negative ? "-inf" : "inf";
        }
        if (value == 0) {
            return negative ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortestRoundTrip(Math.abs(value));
        String digits = shortest.unscaledValue().toString();
        int decimalPoint = digits.length() - shortest.scale();
        StringBuilder text = new StringBuilder(digits.length() + 8);
        if (negative) {
            text.append('-');
        }
        layOut(digits, decimalPoint, text);
        return text.toString();
    }

    /**
     * The shortest decimal that parses back to {@code value} (positive, finite), nearest to it when
     * two of that length do, without trailing zeros.
     *
     * <p>Both neighbours of each length are tried, not only the nearest: at a power of two the
     * doubles below are twice as dense as above, so the nearest decimal may fall outside the
     * round-trip interval while the farther one, above, lies inside (2^-1017 is
     * {@code 7.120236347223045e-307}, not ...044).
     */
    private static BigDecimal shortestRoundTrip(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision <= MAX_DIGITS; precision++) {
            BigDecimal below = exact.round(new MathContext(precision, RoundingMode.DOWN));
            BigDecimal above = exact.round(new MathContext(precision, RoundingMode.UP));
            boolean belowReadsBack = below.doubleValue() == value;
            boolean aboveReadsBack = above.doubleValue() == value;
            if (belowReadsBack && aboveReadsBack) {
                return nearest(exact, below, above).stripTrailingZeros();
            }
            if (belowReadsBack) {
                return below.stripTrailingZeros();
            }
            if (aboveReadsBack) {
                return above.stripTrailingZeros();
            }
        }
        throw new AssertionError("no " + MAX_DIGITS + "-digit decimal reads back as " + value);
    }

    private static BigDecimal nearest(BigDecimal exact, BigDecimal below, BigDecimal above) {
        int order = exact.subtract(below).compareTo(above.subtract(exact));
        if (order != 0) {
            return order < 0 ? below : above;
        }
        // Exactly half-way (or below == above when the value is exact): dtoa rounds half to even.
        return below.unscaledValue().testBit(0) ? above : below;
    }

    private static void layOut(String digits, int decimalPoint, StringBuilder text) {
        int count = digits.length();
        if (decimalPoint <= -4 || decimalPoint > 16) {
            text.append(digits.charAt(0));
            if (count > 1) {
                text.append('.').append(digits, 1, count);
            }
            int exponent = decimalPoint - 1;
            text.append('e').append(exponent < 0 ? '-' : '+');
            if (Math.abs(exponent) < 10) {
                text.append('0');
            }
            text.append(Math.abs(exponent));
        } else if (decimalPoint <= 0) {
            text.append("0.");
            text.append("0".repeat(-decimalPoint));
            text.append(digits);
        } else if (decimalPoint >= count) {
            text.append(digits);
            text.append("0".repeat(decimalPoint - count));
            text.append(".0");
        } else {
            text.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, count);
        }
    }
}
