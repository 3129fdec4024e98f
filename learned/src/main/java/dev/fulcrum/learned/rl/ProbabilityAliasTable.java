package dev.fulcrum.learned.rl;

/**
 * Vose's alias method (IEEE TSE 17(9), 1991) over probabilities that may be exactly zero: built in
 * O(n), each draw O(1) from one random 64-bit value (high 32 bits pick a column, low 32 bits toss
 * its coin), no allocation.
 *
 * <p>Balancing's {@code random.AliasTable} is the same method over integer backend weights of at
 * least 1 (a weight-0 backend is not in a pool), and package-private; a masked action must get
 * probability exactly 0, so this table quantises probabilities to integers of 2^40 (a present
 * action whose probability is below 2^-41 becomes 0) and then builds in exact integer arithmetic
 * as that one does, so no column is left unfilled by rounding.
 */
final class ProbabilityAliasTable {

    private static final double QUANTUM = 0x1p40;
    private static final double TWO_TO_32 = 0x1p32;
    private static final long ALWAYS = 1L << 32;

    private final long[] keep;
    private final int[] alias;

    /** @param probabilities non-negative, finite, with a positive sum (need not be exactly 1) */
    ProbabilityAliasTable(double[] probabilities) {
        int n = probabilities.length;
        if (n == 0 || n > 1 << 16) {
            throw new IllegalArgumentException("probabilities.length: " + n + " (expected: 1 to 65536)");
        }
        keep = new long[n];
        alias = new int[n];
        long[] scaled = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            double p = probabilities[i];
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("probabilities[" + i + "]: " + p + " (expected: finite and >= 0)");
            }
            scaled[i] = Math.round(Math.min(p, 1.0) * QUANTUM);
            total += scaled[i];
        }
        if (total == 0) {
            throw new IllegalArgumentException("probabilities: all 0 (expected: a positive sum)");
        }
        int[] small = new int[n];
        int[] large = new int[n];
        int smallCount = 0;
        int largeCount = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] *= n;
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
        // Exact arithmetic: what is left holds exactly its fair share (never a zero column).
        while (largeCount > 0) {
            keep[large[--largeCount]] = ALWAYS;
        }
        while (smallCount > 0) {
            keep[small[--smallCount]] = ALWAYS;
        }
    }

    int size() {
        return keep.length;
    }

    int draw(long random) {
        int column = (int) (((random >>> 32) * keep.length) >>> 32);
        return (random & 0xFFFF_FFFFL) < keep[column] ? column : alias[column];
    }

    /** The probability that {@link #draw} returns {@code index}, read back from the table. */
    double probability(int index) {
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
