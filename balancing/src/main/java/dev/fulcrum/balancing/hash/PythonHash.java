package dev.fulcrum.balancing.hash;

import static java.util.Objects.requireNonNull;

/**
 * Python's built-in {@code hash()} as 64-bit CPython computes it: one of the DLB paper's baselines
 * (its reference [14]). Like {@link BkdrHash} it is here to reproduce the paper's comparisons: a
 * numeric hash barely mixes ({@code hash(n) == n} for {@code 0 <= n < 2^61 - 1}), which is exactly
 * why it balances skewed keys poorly.
 *
 * <p>CPython hashes every number to its value modulo the Mersenne prime {@code P = 2^61 - 1}, with
 * the sign of the number, so that equal numbers of any type hash alike ({@code hash(2.0) ==
 * hash(2)}); {@code -1} is reserved for errors in C, so a result of {@code -1} becomes {@code -2}.
 * <ul>
 *   <li>{@link #hashLong}: Python's {@code hash(int)}: for {@code k >= 0}, {@code k mod P}; for
 *       {@code k < 0}, {@code -(|k| mod P)}; then {@code -1 -> -2}. So {@code -1 -> -2},
 *       {@code 2^61 - 1 -> 0}, {@code 2^63 - 1 -> 3}, {@code -2^63 -> -4}.</li>
 *   <li>{@link #hashDouble}: Python's {@code hash(float)}, a port of {@code _Py_HashDouble} in
 *       CPython's {@code Python/pyhash.c}: split {@code x = m * 2^e} with {@code frexp}, fold the
 *       mantissa in modulo P 28 bits at a time, rotate by {@code e} within 61 bits (multiplying by
 *       2^e modulo P, since 2^61 = 1 there), apply the sign, then {@code -1 -> -2}. The result
 *       equals {@code (m * 2^e) mod P} for the exact rational value, so whole doubles hash like the
 *       equal {@code long}. {@code 0.0} and {@code -0.0} give 0, {@code inf} 314159 and
 *       {@code -inf} -314159 ({@code sys.hash_info.inf}). <b>NaN gives 0</b>: CPython 3.10+ hashes
 *       a NaN by its object's identity, which no other process can reproduce; 0 is
 *       {@code sys.hash_info.nan} and what CPython did before 3.10, and it keeps this function
 *       total on the pick path instead of throwing.</li>
 *   <li>{@link #hashBytes}: CPython's {@code hash(bytes)} <b>with hash randomization disabled</b>
 *       ({@code PYTHONHASHSEED=0}) on CPython 3.11 and later: 0 for no bytes, otherwise SipHash-1-3
 *       with an all-zero 128-bit key, then {@code -1 -> -2}. This is <b>not</b> what a default
 *       Python process returns: there {@code str} and {@code bytes} hashes are keyed by a random
 *       per-process seed and cannot be reproduced. It is also {@code hash(str)} under the same seed
 *       for ASCII text given as its bytes. (CPython 3.4 to 3.10 used SipHash-2-4 instead.)</li>
 * </ul>
 * All three are allocation-free.
 */
public final class PythonHash implements HashFunction {

    /** {@code sys.hash_info.modulus} on 64-bit CPython. */
    static final long MODULUS = (1L << 61) - 1;
    private static final int MODULUS_BITS = 61;
    /** {@code sys.hash_info.inf}: the digits of pi. */
    static final long INFINITY_HASH = 314159;
    /** What a NaN hashes to here; see the class comment. */
    static final long NAN_HASH = 0;

    /** 2^28: {@code _Py_HashDouble} takes the mantissa 28 bits at a time. */
    private static final double TWO_TO_THE_28 = 268435456.0;

    PythonHash() {
    }

    @Override
    public String name() {
        return "python";
    }

    @Override
    public long hashLong(long key) {
        // For Long.MIN_VALUE, -key is itself; read unsigned, that is 2^63, the magnitude we want.
        long hash = key >= 0 ? key % MODULUS : -Long.remainderUnsigned(-key, MODULUS);
        return hash == -1 ? -2 : hash;
    }

    @Override
    public long hashDouble(double key) {
        if (!Double.isFinite(key)) {
            return Double.isNaN(key) ? NAN_HASH : key > 0 ? INFINITY_HASH : -INFINITY_HASH;
        }
        if (key == 0) {
            return 0;
        }

        // frexp: key = mantissa * 2^exponent with 0.5 <= |mantissa| < 1. Subnormals are scaled up
        // into the normal range first so Math.getExponent reports their true exponent.
        int bias = 0;
        if (Math.getExponent(key) < Double.MIN_EXPONENT) {
            key *= 0x1p54;
            bias = 54;
        }
        int exponent = Math.getExponent(key) + 1;
        double mantissa = Math.scalb(key, -exponent);
        exponent -= bias;

        long sign = 1;
        if (mantissa < 0) {
            sign = -1;
            mantissa = -mantissa;
        }
        // Every step below is exact in double arithmetic, as in C: multiplying by 2^28 and
        // subtracting the integer part never rounds.
        long x = 0;
        while (mantissa != 0) {
            x = ((x << 28) & MODULUS) | x >>> (MODULUS_BITS - 28);
            mantissa *= TWO_TO_THE_28;
            exponent -= 28;
            long integerPart = (long) mantissa;
            mantissa -= integerPart;
            x += integerPart;
            if (x >= MODULUS) {
                x -= MODULUS;
            }
        }
        // Multiply by 2^exponent modulo P: a rotation within 61 bits by exponent mod 61.
        exponent = exponent >= 0
                   ? exponent % MODULUS_BITS
                   : MODULUS_BITS - 1 - ((-1 - exponent) % MODULUS_BITS);
        x = ((x << exponent) & MODULUS) | x >>> (MODULUS_BITS - exponent);

        x *= sign;
        return x == -1 ? -2 : x;
    }

    @Override
    public long hashBytes(byte[] key) {
        requireNonNull(key, "key");
        if (key.length == 0) {
            return 0;
        }
        long hash = SipHash.hash(0, 0, key, 1, 3);
        return hash == -1 ? -2 : hash;
    }
}
