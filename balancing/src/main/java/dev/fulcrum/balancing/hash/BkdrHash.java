package dev.fulcrum.balancing.hash;

import static java.util.Objects.requireNonNull;

/**
 * BKDR, the string hash of Kernighan and Ritchie's <i>The C Programming Language</i> as collected in
 * Arash Partow's General Hash Functions library with seed 131: one of the DLB paper's baselines
 * (its reference [12]). It is here to reproduce the paper's comparisons, not to balance production
 * traffic: it barely mixes, so sequential keys land on neighbouring values.
 *
 * <p>Over bytes {@code b0 b1 ... bn-1}: {@code h = 0; h = h * 131 + bi} for each byte read unsigned
 * (0..255), on 64-bit unsigned arithmetic (wrapping modulo 2^64), returned as the same 64 bits in a
 * {@code long}. Partow's original keeps an {@code unsigned int}; since reduction modulo 2^32 commutes
 * with this recurrence, the low 32 bits of this hash are exactly that 32-bit BKDR.
 *
 * <p>The paper's experiments hash numeric keys in Python, where a BKDR baseline hashes
 * {@code str(key)}. So the numeric shapes hash the UTF-8 (here: ASCII) bytes of Python's text:
 * <ul>
 *   <li>{@link #hashBytes}: the bytes as given.</li>
 *   <li>{@link #hashLong}: Python's {@code str(int)}, the signed decimal with no leading zeros and a
 *       {@code -} for negatives: {@code 42 -> "42"}, {@code -1 -> "-1"},
 *       {@code Long.MIN_VALUE -> "-9223372036854775808"}.</li>
 *   <li>{@link #hashDouble}: Python's {@code repr(float)} (which {@code str(float)} equals), the
 *       shortest round-trip text described in {@link PythonFloatRepr}: {@code 1.0 -> "1.0"},
 *       {@code -0.0 -> "-0.0"}, {@code 0.1 -> "0.1"}, {@code 1e16 -> "1e+16"},
 *       {@code 1.5e-7 -> "1.5e-07"}, {@code inf}, {@code -inf}, and {@code nan} for every NaN.</li>
 * </ul>
 * Integral doubles below 10^16 in magnitude (whose repr is their digits and {@code .0}) are hashed
 * without allocating; other doubles go through the exact decimal formatting, which allocates.
 */
public final class BkdrHash implements HashFunction {

    static final long SEED = 131;

    /** Below this magnitude Python prints a whole double positionally: {@code 9999999999999998.0}. */
    private static final double POSITIONAL_LIMIT = 1e16;

    BkdrHash() {
    }

    @Override
    public String name() {
        return "bkdr";
    }

    @Override
    public long hashBytes(byte[] key) {
        requireNonNull(key, "key");
        long hash = 0;
        for (byte b : key) {
            hash = hash * SEED + (b & 0xFF);
        }
        return hash;
    }

    @Override
    public long hashLong(long key) {
        if (key < 0) {
            // -key overflows for Long.MIN_VALUE, to itself: read unsigned, that is 2^63, its magnitude.
            return appendDigits(step(0, '-'), -key);
        }
        return appendDigits(0, key);
    }

    @Override
    public long hashDouble(double key) {
        if (Math.abs(key) < POSITIONAL_LIMIT && key == Math.rint(key)) {
            long hash = Double.doubleToRawLongBits(key) < 0 ? step(0, '-') : 0;
            hash = appendDigits(hash, (long) Math.abs(key));
            return step(step(hash, '.'), '0');
        }
        return hashText(PythonFloatRepr.repr(key));
    }

    private static long hashText(String ascii) {
        long hash = 0;
        for (int i = 0; i < ascii.length(); i++) {
            hash = step(hash, ascii.charAt(i));
        }
        return hash;
    }

    private static long step(long hash, int asciiChar) {
        return hash * SEED + asciiChar;
    }

    /**
     * Continues {@code hash} over the decimal digits of {@code magnitude}, read as unsigned and at
     * most 2^63 (19 digits), so the divisor below stays at most 10^18 and never overflows.
     */
    private static long appendDigits(long hash, long magnitude) {
        long divisor = 1;
        // The largest power of ten not above the magnitude: its first digit's place.
        while (Long.compareUnsigned(Long.divideUnsigned(magnitude, divisor), 10) >= 0) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            long digit = Long.remainderUnsigned(Long.divideUnsigned(magnitude, divisor), 10);
            hash = step(hash, (int) ('0' + digit));
        }
        return hash;
    }
}
