package dev.fulcrum.balancing.hashing;

/**
 * SplitMix64's finaliser (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number Generators",
 * OOPSLA 2014): a cheap bijection on 64 bits in which every input bit affects every output bit.
 * The hashing tables use it to derive per-attempt and per-backend values from an already hashed key.
 */
public final class SplitMix64 {

    /** The golden-ratio increment SplitMix64 adds between outputs. */
    public static final long GAMMA = 0x9E3779B97F4A7C15L;

    private SplitMix64() {
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
