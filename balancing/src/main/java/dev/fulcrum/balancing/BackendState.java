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
 *
 * <p>Passive ejection ({@link OutlierDetection}) and slow start ({@link SlowStart}) live here too, so
 * that they survive a reload that carries the state over. The proxy reports each flow's outcome with
 * {@link #recordSuccess()} and {@link #recordFailure()}; an ejection ends lazily, on the first read
 * after its time is up (one CAS decides which thread ends it), or when the control thread calls
 * {@link #refreshEjection()}. A backend that comes back (healthy again, un-ejected, undrained, or
 * new through {@link #startSlowStart()}) ramps its share for the pool's slow-start window: policies
 * read {@link #rampFraction()}, one volatile read while no ramp is running.
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

    /** {@link #NONE}, or the clock reading when the current ramp began. */
    private final AtomicLong rampStart;
    private volatile SlowStart slowStart;
    private final EjectionState ejection;

    /** No ramp running, or not ejected (never a clock reading in practice: nanoTime is not that far off). */
    static final long NONE = Long.MIN_VALUE;

    private final long nameSeed;

    BackendState(Backend backend, int index) {
        this.backend = backend;
        this.index = index;
        this.active = new AtomicInteger();
        this.latency = new AtomicLong(PackedPeakEwma.NO_SAMPLE);
        this.rampStart = new AtomicLong(NONE);
        this.ejection = new EjectionState();
        this.nameSeed = nameSeed(backend.name());
    }

    /**
     * The same backend in a new {@link BackendSet} after a reload (new weight, limit or position):
     * the counters that flows still open on {@code previous} update are shared (active flows,
     * latency, the slow-start ramp and the ejection state), so a flow that ends later releases the
     * one count both states see; flags and settings are copied. A field added to this class must be
     * carried here too (BackendStateCarryOverTest checks every field).
     */
    BackendState(Backend backend, int index, BackendState previous) {
        this.backend = backend;
        this.index = index;
        this.active = previous.active;
        this.latency = previous.latency;
        this.draining = previous.draining;
        this.healthy = previous.healthy;
        this.latencyDecayNanos = previous.latencyDecayNanos;
        this.rampStart = previous.rampStart;
        this.slowStart = previous.slowStart;
        this.ejection = previous.ejection;
        this.nameSeed = previous.nameSeed;
    }

    private static long nameSeed(String name) {
        long h = 0;
        for (int i = 0; i < name.length(); i++) {
            h = h * 31 + name.charAt(i);
        }
        return dev.fulcrum.balancing.hashing.SplitMix64.mix(h + dev.fulcrum.balancing.hashing.SplitMix64.GAMMA);
    }

    /**
     * A 64-bit value derived from the backend's name only (so the same on every instance and across
     * reloads), for per-backend decisions such as slow-start admission of hashed keys.
     */
    public long nameSeed() {
        return nameSeed;
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

    /** Drains the backend, or takes it back (which starts its slow start, when the pool has one). */
    public void setDraining(boolean draining) {
        boolean was = this.draining;
        this.draining = draining;
        if (was && !draining) {
            startSlowStart();
        }
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
        boolean was = this.healthy;
        this.healthy = healthy;
        if (!was && healthy) {
            startSlowStart();
        }
    }

    /**
     * Whether a policy may send a new flow here: healthy, not draining, not ejected and under its
     * connection limit.
     */
    public boolean acceptsNewFlows() {
        if (draining || !healthy || isEjected()) {
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

    // ---- slow start ------------------------------------------------------------------------------

    /** Sets the pool's slow start ({@code null}: none, and any ramp running ends). */
    public void setSlowStart(SlowStart slowStart) {
        this.slowStart = slowStart;
        if (slowStart == null) {
            rampStart.set(NONE);
        }
    }

    public SlowStart slowStart() {
        return slowStart;
    }

    /**
     * Starts this backend's ramp now, when its pool has a slow start: called when it comes back,
     * and by the pool for a backend a reload adds.
     */
    public void startSlowStart() {
        SlowStart ramp = slowStart;
        if (ramp != null) {
            rampStart.set(ramp.clock().getAsLong());
        }
    }

    /** Starts the ramp at a past clock reading (when an ejection ended, rather than when it was noticed). */
    void startSlowStartAt(long nanos) {
        if (slowStart != null) {
            rampStart.set(nanos);
        }
    }

    /**
     * The share of its weight this backend takes now, in (0, 1]: 1 unless it is ramping. One
     * volatile read when no ramp runs; a clock read while one does. Allocates nothing.
     */
    public double rampFraction() {
        long start = rampStart.get();
        if (start == NONE) {
            return 1.0;
        }
        SlowStart ramp = slowStart;
        if (ramp == null) {
            return 1.0;
        }
        double fraction = ramp.fraction(ramp.clock().getAsLong() - start);
        if (fraction >= 1.0) {
            // Over: later reads skip the clock. A CAS, so a ramp started meanwhile is kept.
            rampStart.compareAndSet(start, NONE);
        }
        return fraction;
    }

    /**
     * The weight scaled by {@link #rampFraction()}, in 1/1024ths of a unit (at least 1): what the
     * weighted policies share flows by, so a ramping backend takes its fraction of its share.
     */
    public long rampedWeight1024() {
        double fraction = rampFraction();
        long full = (long) backend.weight() << 10;
        return fraction >= 1.0 ? full : Math.max(1, (long) (full * fraction));
    }

    /**
     * Whether a ramping backend takes a flow given a uniform 64-bit {@code draw}: with probability
     * {@link #rampFraction()}, so rejection sampling over weights gives it that fraction of its share.
     */
    public boolean admits(long draw) {
        double fraction = rampFraction();
        return fraction >= 1.0 || (draw >>> 11) * 0x1.0p-53 < fraction;
    }

    /** Whether a ramp is running (it may just have ended; {@link #rampFraction()} says by how much). */
    public boolean isRamping() {
        return rampStart.get() != NONE && slowStart != null;
    }

    // ---- passive ejection (state in EjectionState) --------------------------------------------------

    /**
     * Sets the pool's ejection settings ({@code null}: none, and an ejection in force ends). A
     * backend ejected under the previous settings stays ejected and counts under the new ones.
     */
    public void setOutlierDetection(OutlierDetection detection) {
        ejection.setDetection(detection);
    }

    public OutlierDetection outlierDetection() {
        return ejection.detection();
    }

    /** A flow to this backend went well (its first byte came back, or it closed without a reset). */
    public void recordSuccess() {
        ejection.recordSuccess();
    }

    /**
     * A connect to this backend failed, or the backend reset a flow: counts toward ejection, and
     * ejects it when the count reaches the pool's threshold and the pool's cap allows. Returns
     * whether this call ejected it.
     */
    public boolean recordFailure() {
        return ejection.recordFailure();
    }

    /** Whether the backend is ejected now; ends an ejection whose time is up (and starts the slow start). */
    public boolean isEjected() {
        return ejection.isEjected(this);
    }

    /** Ends the ejection if its time is up; the control thread calls it each tick, so gauges and ramps move without traffic. */
    public void refreshEjection() {
        ejection.isEjected(this);
    }

    /** Times this backend was ejected since it was created. */
    public long ejections() {
        return ejection.ejections();
    }

    /** Failures in a row counted toward the next ejection. */
    public int consecutiveFailures() {
        return ejection.consecutiveFailures();
    }

    /** When the current ejection ends (clock reading), or {@link Long#MIN_VALUE} when not ejected. */
    public long ejectedUntilNanos() {
        return ejection.ejectedUntilNanos();
    }

    @Override
    public String toString() {
        return backend.name() + "(" + backend.address() + ", weight " + backend.weight() + ", active " + active.get() + ")";
    }
}
