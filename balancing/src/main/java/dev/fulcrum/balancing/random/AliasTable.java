package dev.fulcrum.balancing.random;

/**
 * Vose's alias method (M. D. Vose, "A linear algorithm for generating random numbers with a given
 * distribution", IEEE TSE 17(9), 1991): built in O(n), then each draw is O(1), from one random
 * 64-bit value: its high 32 bits choose a column, its low 32 bits toss the column's biased coin
 * (keep the column, or take its alias).
 *
 * <p>The table is built in exact integer arithmetic (weights scaled by n, compared to their total),
 * so the usual floating-point drift of Vose's loop cannot leave a column unfilled; only each
 * column's coin is rounded, to 1 part in 2^32. A weight of 0 is never drawn: with exact arithmetic
 * a zero column is always paired with an alias, never left to keep itself.
 *
 * <p>Used by the weighted random policy (integer backend weights) and by the learned Q-network
 * policy ({@link #ofProbabilities}: masked actions get exactly 0).
 */
public final class AliasTable {

    private static final double TWO_TO_32 = 0x1p32;
    /** A coin that always keeps its column: the low 32 bits of a draw are always below it. */
    private static final long ALWAYS = 1L << 32;
    /** Probabilities are quantised to integers of 2^40: one below 2^-41 becomes 0. */
    private static final double QUANTUM = 0x1p40;
    private static final int MAX_COLUMNS = 1 << 20;

    /** Column {@code i} keeps itself when the coin (32 random bits) is below {@code keep[i]}. */
    private final long[] keep;
    private final int[] alias;

    /** @param weights each {@code >= 1} */
    AliasTable(int[] weights) {
        this(checked(weights));
    }

    private static long[] checked(int[] weights) {
        long[] scaled = new long[weights.length];
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 1) {
                throw new IllegalArgumentException("weight: " + weights[i] + " (expected: >= 1)");
            }
            scaled[i] = weights[i];
        }
        return scaled;
    }

    /**
     * A table drawing index {@code i} with probability {@code probabilities[i] / sum}; a 0 is never
     * drawn.
     *
     * @param probabilities 1 to 2^20 of them, finite, {@code >= 0}, with a positive sum (need not be 1)
     */
    public static AliasTable ofProbabilities(double[] probabilities) {
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("probabilities: none (expected: at least one)");
        }
        long[] weights = new long[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            double p = probabilities[i];
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("probabilities[" + i + "]: " + p + " (expected: finite and >= 0)");
            }
            weights[i] = Math.round(Math.min(p, 1.0) * QUANTUM);
        }
        return new AliasTable(weights);
    }

    /** @param weights at most 2^20 of them (none: an empty table, never drawn from), each {@code >= 0} and at most 2^40, with a positive sum (then 0 is never drawn) */
    private AliasTable(long[] weights) {
        int n = weights.length;
        if (n > MAX_COLUMNS) {
            throw new IllegalArgumentException("weights: " + n + " (expected: at most " + MAX_COLUMNS + ")");
        }
        keep = new long[n];
        alias = new int[n];
        long total = 0;
        for (long weight : weights) {
            total += weight;
        }
        if (total == 0 && n > 0) {
            throw new IllegalArgumentException("weights: all 0 (expected: a positive sum)");
        }
        // Scaled by n, a column's fair share is exactly `total`: columns below it are "small".
        long[] scaled = new long[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int smallCount = 0;
        int largeCount = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] * n;
            if (scaled[i] < total) {
                small[smallCount++] = i;
            } else {
                large[largeCount++] = i;
            }
        }
        while (smallCount > 0 && largeCount > 0) {
            int less = small[--smallCount];
            int more = large[--largeCount];
            keep[less] = Math.round(scaled[less] / (double) total * TWO_TO_32);
            alias[less] = more;
            scaled[more] -= total - scaled[less];
            if (scaled[more] < total) {
                small[smallCount++] = more;
            } else {
                large[largeCount++] = more;
            }
        }
        // With exact arithmetic whatever is left holds exactly its fair share.
        while (largeCount > 0) {
            keep[large[--largeCount]] = ALWAYS;
        }
        while (smallCount > 0) {
            keep[small[--smallCount]] = ALWAYS;
        }
    }

    public int size() {
        return keep.length;
    }

    /** An index drawn with probability weight / total, from 64 uniformly random bits. */
    public int draw(long random) {
        int column = (int) (((random >>> 32) * keep.length) >>> 32);
        return (random & 0xFFFF_FFFFL) < keep[column] ? column : alias[column];
    }

    /** The probability that {@link #draw} returns {@code index}, read back from the table (for tests). */
    public double probability(int index) {
        int n = keep.length;
        double p = 0;
        for (int column = 0; column < n; column++) {
            double kept = Math.min(keep[column], ALWAYS) / TWO_TO_32;
            if (column == index) {
                p += kept / n;
            }
            if (alias[column] == index && keep[column] < ALWAYS) {
                p += (1 - kept) / n;
            }
        }
        return p;
    }
}
