package dev.fulcrum.metrics.feature;

import java.util.Arrays;

/**
 * A uniform random sample of at most {@code capacity} values out of all offered since the last
 * {@link #reset()}: Vitter's Algorithm R ("Random sampling with a reservoir", ACM TOMS 1985). The
 * Aquarius paper keeps its sampled channels this way, so a channel's cost per tick is bounded
 * whatever the traffic.
 *
 * <p>Single writer: not thread-safe; {@link IntervalRecorder} hands it between an event loop and the
 * control thread. The random source is a per-instance xorshift seeded at construction, so tests
 * are deterministic and the writer allocates nothing.
 */
public final class Reservoir {

    private final double[] values;
    private long seen;
    private long state;

    public Reservoir(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.values = new double[capacity];
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** Offers a value: kept with probability capacity / values offered so far. */
    public void add(double value) {
        long n = ++seen;
        if (n <= values.length) {
            values[(int) (n - 1)] = value;
            return;
        }
        long slot = Long.remainderUnsigned(nextRandom(), n);
        if (slot < values.length) {
            values[(int) slot] = value;
        }
    }

    /** xorshift64* (Vigna 2016): enough for sampling, and no allocation. */
    private long nextRandom() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * 0x2545F4914F6CDD1DL;
    }

    public int capacity() {
        return values.length;
    }

    /** Values offered since the last reset. */
    public long seen() {
        return seen;
    }

    /** Values kept: {@code min(seen, capacity)}. */
    public int size() {
        return (int) Math.min(seen, values.length);
    }

    public double value(int index) {
        if (index >= size()) {
            throw new IndexOutOfBoundsException("index: " + index + " (expected: < " + size() + ")");
        }
        return values[index];
    }

    /** A copy of the kept values, for tests and diagnostics. */
    public double[] values() {
        return Arrays.copyOf(values, size());
    }

    public void reset() {
        seen = 0;
    }
}
