package dev.fulcrum.metrics.feature;

/**
 * What one event loop measured for one backend during one tick: counters, one reservoir per sampled
 * channel and the {@link BucketTiming}s of the times Prometheus shows as histograms. Single writer
 * (the loop), handed to the control thread by {@link IntervalRecorder}; recording allocates
 * nothing. About 19 KB with the default reservoir size (17 reservoirs of 128 doubles, four timings
 * of 350 bytes), twice per event loop and backend.
 */
public final class TelemetryInterval {

    /** Timings kept whole (not sampled) for Prometheus histograms, in microseconds. */
    public static final int TIMING_CONNECT = 0;
    public static final int TIMING_FIRST_BYTE = 1;
    public static final int TIMING_FLOW_COMPLETION = 2;
    public static final int TIMING_RTT = 3;
    public static final int TIMINGS = 4;
    /** Longest timing kept: one hour; longer ones are counted as one hour. */
    public static final long MAX_TIMING_MICROS = 3_600_000_000L;

    private final long[] counters = new long[FeatureSchema.COUNTERS.size()];
    private final Reservoir[] channels = new Reservoir[FeatureSchema.CHANNELS.size()];
    private final BucketTiming[] timings = new BucketTiming[TIMINGS];

    TelemetryInterval(int reservoirSize, long seed) {
        for (int i = 0; i < channels.length; i++) {
            channels[i] = new Reservoir(reservoirSize, seed * 31 + i);
        }
        for (int i = 0; i < TIMINGS; i++) {
            timings[i] = new BucketTiming();
        }
    }

    public void count(int counter, long delta) {
        counters[counter] += delta;
    }

    public void sample(int channel, double value) {
        channels[channel].add(value);
    }

    public void time(int timing, long micros) {
        timings[timing].record(Math.max(0, Math.min(micros, MAX_TIMING_MICROS)));
    }

    public long counter(int counter) {
        return counters[counter];
    }

    public Reservoir channel(int channel) {
        return channels[channel];
    }

    public BucketTiming timing(int timing) {
        return timings[timing];
    }

    void reset() {
        java.util.Arrays.fill(counters, 0);
        for (Reservoir channel : channels) {
            channel.reset();
        }
        for (BucketTiming timing : timings) {
            timing.reset();
        }
    }
}
