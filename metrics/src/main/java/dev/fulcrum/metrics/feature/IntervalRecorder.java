package dev.fulcrum.metrics.feature;

import org.HdrHistogram.WriterReaderPhaser;

/**
 * A {@link TelemetryInterval} per tick for one event loop and one backend (its counters and its
 * channels' {@link Reservoir reservoirs}): the loop writes into the active interval inside a {@link WriterReaderPhaser}
 * critical section (two uncontended atomic increments, wait-free), the control thread swaps the two
 * intervals once per tick and waits for a write in flight to leave the old one. The loop never waits.
 *
 * <pre>{@code
 * long token = recorder.enter();
 * try {
 *     recorder.active().count(FeatureSchema.N_F, 1);
 * } finally {
 *     recorder.exit(token);
 * }
 * }</pre>
 */
public final class IntervalRecorder {

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile TelemetryInterval active;
    private TelemetryInterval inactive;

    public IntervalRecorder(int reservoirSize, long seed) {
        this.active = new TelemetryInterval(reservoirSize, seed);
        this.inactive = new TelemetryInterval(reservoirSize, ~seed);
    }

    /** Starts a write (the loop's thread only); pass the result to {@link #exit}. */
    public long enter() {
        return phaser.writerCriticalSectionEnter();
    }

    /** The interval to write into, between {@link #enter} and {@link #exit}. */
    public TelemetryInterval active() {
        return active;
    }

    public void exit(long token) {
        phaser.writerCriticalSectionExit(token);
    }

    /**
     * Ends the interval and returns it; it is the caller's until its next call (the control thread
     * only). The writer continues in a fresh interval.
     */
    public TelemetryInterval swapInterval() {
        phaser.readerLock();
        try {
            TelemetryInterval fresh = inactive;
            fresh.reset();
            TelemetryInterval finished = active;
            active = fresh;
            phaser.flipPhase();
            inactive = finished;
            return finished;
        } finally {
            phaser.readerUnlock();
        }
    }
}
