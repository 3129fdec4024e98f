package dev.fulcrum.proxy.dashboard;

/**
 * The last few samples of cumulative counters (a counter's total, a histogram's cumulative bucket
 * counts), so that what happened over the window is the newest sample minus the oldest: the
 * dashboard's rates and quantiles cover seconds, not the whole uptime. Bounded: a ring of
 * {@code capacity} samples. Owned by one thread (the control thread).
 */
final class SlidingWindow {

    private final long[] times;
    private final double[][] values;
    private int newest = -1;
    private int size;

    /** @param capacity samples kept; the window spans {@code capacity - 1} sampling intervals */
    SlidingWindow(int capacity, int width) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 2)");
        }
        times = new long[capacity];
        values = new double[capacity][width];
    }

    /** Adds a sample taken at {@code nanos} (monotonic); the array is copied. */
    void add(long nanos, double[] cumulative) {
        newest = (newest + 1) % times.length;
        times[newest] = nanos;
        System.arraycopy(cumulative, 0, values[newest], 0, values[newest].length);
        size = Math.min(size + 1, times.length);
    }

    private int oldest() {
        return (newest - size + 1 + times.length) % times.length;
    }

    /** Whether there are two samples to subtract. */
    boolean spansTime() {
        return size >= 2 && times[newest] > times[oldest()];
    }

    /** Newest minus oldest of each value (zeros with fewer than two samples); a counter that went back (a reset) counts from zero. */
    double[] deltas() {
        double[] deltas = new double[values[0].length];
        if (size < 2) {
            return deltas;
        }
        double[] last = values[newest];
        double[] first = values[oldest()];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = last[i] >= first[i] ? last[i] - first[i] : last[i];
        }
        return deltas;
    }

    /** Seconds from the oldest sample to the newest. */
    double seconds() {
        return size < 2 ? 0 : (times[newest] - times[oldest()]) / 1e9;
    }
}
