package dev.fulcrum.metrics.feature;

import org.HdrHistogram.WriterReaderPhaser;

/**
 * One sampled channel of one event loop (say, flow completion times of one backend), recorded
 * without locks and handed to the control thread once per tick.
 *
 * <p>Two reservoirs alternate: the writer (the event loop) records into the active one inside a
 * {@link WriterReaderPhaser} critical section (two atomic increments, wait-free); the reader (the
 * control thread) swaps them and waits for any write in flight to leave the old one, as
 * HdrHistogram's {@code Recorder} does. The writer never waits for the reader.
 */
public final class ChannelRecorder {

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Reservoir active;
    private Reservoir inactive;

    public ChannelRecorder(int capacity, long seed) {
        this.active = new Reservoir(capacity, seed);
        this.inactive = new Reservoir(capacity, seed ^ 0x5DEECE66DL);
    }

    /** Records a value. Called by one writer thread at a time (the channel's event loop). */
    public void record(double value) {
        long critical = phaser.writerCriticalSectionEnter();
        try {
            active.add(value);
        } finally {
            phaser.writerCriticalSectionExit(critical);
        }
    }

    /**
     * Ends the interval: returns the samples recorded since the previous call, and starts a fresh
     * interval for the writer. The returned reservoir is the caller's until its next call. Called
     * by one reader thread (the control thread).
     */
    public Reservoir swapInterval() {
        phaser.readerLock();
        try {
            Reservoir fresh = inactive;
            fresh.reset();
            Reservoir finished = active;
            active = fresh;
            phaser.flipPhase();
            inactive = finished;
            return finished;
        } finally {
            phaser.readerUnlock();
        }
    }
}
