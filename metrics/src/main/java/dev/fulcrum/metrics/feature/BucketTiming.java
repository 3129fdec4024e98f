package dev.fulcrum.metrics.feature;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * One timing of a {@link TelemetryInterval} kept as Prometheus keeps it: a count and a sum per
 * fixed bucket, and the max. The control thread replays it into a Micrometer timer with the same
 * buckets and loses nothing: each value is counted in its own bucket, {@code _sum} is exact to the
 * microsecond and {@code _max} is the true max. (It replaced a per-interval HdrHistogram of two
 * significant digits: 14 KB and a 1% error at a bucket's edge; this is 19 buckets, about 350 bytes.)
 *
 * <p>Single writer (the event loop), no allocation; read by the control thread after
 * {@link IntervalRecorder#swapInterval}.
 */
public final class BucketTiming {

    /**
     * Upper bounds of the buckets in microseconds, inclusive (Prometheus' {@code le}), 100 µs to
     * 60 s; values above the last fall in a last bucket, {@code +Inf}.
     */
    private static final long[] BOUNDS_MICROS = {100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000,
        250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000};

    private final long[] counts = new long[BOUNDS_MICROS.length + 1];
    private final long[] sums = new long[BOUNDS_MICROS.length + 1];
    private long count;
    private long max;

    /** The buckets' upper bounds in microseconds (a copy): the SLO boundaries of the timers it is replayed into. */
    public static long[] boundsMicros() {
        return BOUNDS_MICROS.clone();
    }

    void record(long micros) {
        int bucket = bucket(micros);
        counts[bucket]++;
        sums[bucket] += micros;
        count++;
        if (micros > max) {
            max = micros;
        }
    }

    static int bucket(long micros) {
        int at = Arrays.binarySearch(BOUNDS_MICROS, micros);
        return at >= 0 ? at : -at - 1;
    }

    public long count() {
        return count;
    }

    public long max() {
        return max;
    }

    /** Sum of the values recorded, in microseconds. */
    public long sum() {
        long sum = 0;
        for (long s : sums) {
            sum += s;
        }
        return sum;
    }

    /**
     * Calls {@code nanos} once per value recorded, with values that fall in the same buckets, add up
     * to the same sum and have the same max as those recorded: the max itself once, and in each
     * bucket the mean of its other values (spread to the nanosecond so the sum is exact). Each such
     * value lies in its bucket, because a mean of values in a bucket does.
     */
    public void replay(LongConsumer nanos) {
        int maxBucket = count == 0 ? -1 : bucket(max);
        for (int b = 0; b < counts.length; b++) {
            long n = counts[b];
            long sumNanos = sums[b] * 1000;
            if (b == maxBucket) {
                nanos.accept(max * 1000);
                n--;
                sumNanos -= max * 1000;
            }
            if (n == 0) {
                continue;
            }
            long base = sumNanos / n;
            long remainder = sumNanos % n;
            for (long k = 0; k < n; k++) {
                nanos.accept(k < remainder ? base + 1 : base);
            }
        }
    }

    void reset() {
        Arrays.fill(counts, 0);
        Arrays.fill(sums, 0);
        count = 0;
        max = 0;
    }
}
