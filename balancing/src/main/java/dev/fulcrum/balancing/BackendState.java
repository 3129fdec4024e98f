package dev.fulcrum.balancing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of one backend, shared by every event loop and the control thread.
 *
 * <p>Threading: event loops call {@link #tryAcquire()} and {@link #release()} for each flow, and
 * {@link #recordLatency} when a backend connect succeeds; policies read {@link #activeFlows()},
 * {@link #acceptsNewFlows()} and {@link #latencyEstimateNanos}; the health-check thread calls
 * {@link #setHealthy}. Everything is a single atomic or
 * volatile access (or a CAS loop on one), so the pick path never takes a lock.
 *
 * <p>Latency is a {@link PeakEwma peak EWMA} whose estimate and last-sample time are packed into
 * one {@code long} ({@link PackedPeakEwma}): a sample is one CAS loop, a read is one volatile read,
 * and neither allocates. Times are {@link System#nanoTime()} readings passed in by the caller, so
 * tests drive the clock.
 */
public final class BackendState {

    private final Backend backend;
    private final int index;
    // Shared with the states that carry this backend over a reload (see the second constructor).
    private final AtomicInteger active;
    private volatile boolean draining;
    // Written by the health-check thread only; true when the pool has no checks.
    private volatile boolean healthy = true;
    private final AtomicLong latency;
    private volatile long latencyDecayNanos = PeakEwma.DEFAULT_DECAY_NANOS;

    BackendState(Backend backend, int index) {
        this.backend = backend;
        this.index = index;
        this.active = new AtomicInteger();
        this.latency = new AtomicLong(PackedPeakEwma.NO_SAMPLE);
    }

    /**
     * The same backend in a new {@link BackendSet} after a reload (new weight, limit or position):
     * the counters that flows still open on {@code previous} update are shared, so a flow that
     * ends later releases the one count both states see; flags are copied. A field added to this
     * class must be carried here too (BackendStateCarryOverTest checks every field).
     */
    BackendState(Backend backend, int index, BackendState previous) {
        this.backend = backend;
        this.index = index;
        this.active = previous.active;
        this.latency = previous.latency;
        this.draining = previous.draining;
        this.healthy = previous.healthy;
        this.latencyDecayNanos = previous.latencyDecayNanos;
    }

    /** Whether {@code other} is this backend, carried over a reload (or this very state). */
    public boolean sharesLiveStateWith(BackendState other) {
        return active == other.active;
    }

    public Backend backend() {
        return backend;
    }

    /** Position of this backend in its {@link BackendSet}, stable for the set's lifetime. */
    public int index() {
        return index;
    }

    public int weight() {
        return backend.weight();
    }

    public int activeFlows() {
        return active.get();
    }

    public boolean isDraining() {
        return draining;
    }

    public void setDraining(boolean draining) {
        this.draining = draining;
    }

    /** Whether the pool's health checks see this backend UP; always true for a pool without checks. */
    public boolean isHealthy() {
        return healthy;
    }

    /**
     * Set by the health checks on a rise or fall. A backend that is not healthy takes no new flow;
     * its open flows go on (the check may be wrong, and cutting them would turn a false alarm into
     * an outage).
     */
    public void setHealthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** Whether a policy may send a new flow here: healthy, not draining and under its connection limit. */
    public boolean acceptsNewFlows() {
        if (draining || !healthy) {
            return false;
        }
        int max = backend.maxConnections();
        return max == 0 || active.get() < max;
    }

    /**
     * Counts a new flow if the backend is under its connection limit. The check and the increment
     * are one atomic step, so concurrent event loops never overshoot the limit.
     */
    public boolean tryAcquire() {
        int max = backend.maxConnections();
        if (max == 0) {
            active.incrementAndGet();
            return true;
        }
        for (;;) {
            int current = active.get();
            if (current >= max) {
                return false;
            }
            if (active.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Counts the end of a flow that {@link #tryAcquire()} counted. */
    public void release() {
        active.decrementAndGet();
    }

    /**
     * Feeds one latency sample into this backend's peak EWMA. The proxy calls it on the event loop
     * that saw a backend connect succeed, with the connect time; failed connects are not samples.
     *
     * @param sampleNanos the latency measured, in nanoseconds (clamped to 1 ns .. 2^62 ns)
     * @param nowNanos    {@link System#nanoTime()} when it was measured
     */
    public void recordLatency(long sampleNanos, long nowNanos) {
        double tau = latencyDecayNanos;
        for (;;) {
            long current = latency.get();
            long next = PackedPeakEwma.observe(current, sampleNanos, nowNanos, tau);
            if (next == current || latency.compareAndSet(current, next)) {
                return;
            }
        }
    }

    /**
     * The latency estimate at {@code nowNanos}, in nanoseconds: the peak EWMA of the samples,
     * decayed toward zero since the last one; {@code 0} when no sample was ever recorded (or the
     * last one decayed away entirely, after some 745 decay times).
     */
    public double latencyEstimateNanos(long nowNanos) {
        return PackedPeakEwma.estimateNanos(latency.get(), nowNanos, latencyDecayNanos);
    }

    /** The decay time of the latency estimate; 10 s unless the pool's policy set another. */
    public long latencyDecayNanos() {
        return latencyDecayNanos;
    }

    /**
     * Sets the decay time of the latency estimate. The latency-aware policy sets it on the backends
     * it is built over (off the data plane); samples and reads after that use it.
     */
    public void setLatencyDecayNanos(long decayNanos) {
        if (decayNanos <= 0) {
            throw new IllegalArgumentException("decayNanos: " + decayNanos + " (expected: > 0)");
        }
        this.latencyDecayNanos = decayNanos;
    }

    @Override
    public String toString() {
        return backend.name() + "(" + backend.address() + ", weight " + backend.weight() + ", active " + active.get() + ")";
    }
}
