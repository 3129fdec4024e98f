package dev.fulcrum.balancing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A pool's passive ejection (Envoy's outlier detection, consecutive failures, for TCP): after
 * {@code consecutiveFailures} failures in a row (connect refused or timed out, reset by the
 * backend) a backend is ejected, taking no new flow for {@code baseEjectionNanos x ejections}
 * (its ejections so far, this one included), at most {@code maxEjectionNanos}. Its open flows go on.
 *
 * <p>One object per pool, shared by its {@link BackendState}s: it holds the settings and the count
 * of backends ejected now, so that no more than {@code maxEjectionPercent} of the pool (and at least
 * one backend, when the percentage is above 0) is ejected at once. The count is reserved with a CAS
 * before a backend is ejected, so concurrent event loops never overshoot it.
 *
 * @param consecutiveFailures failures in a row that eject, {@code >= 1}
 * @param baseEjectionNanos   the first ejection's length, {@code > 0}
 * @param maxEjectionNanos    the cap of a repeated ejection's length, {@code >= base}
 * @param maxEjectionPercent  share of the pool that may be ejected at once, 0-100
 */
public final class OutlierDetection {

    private final int consecutiveFailures;
    private final long baseEjectionNanos;
    private final long maxEjectionNanos;
    private final int maxEjectionPercent;
    private final int maxEjected;
    private final LongSupplier clock;
    private final AtomicInteger ejected = new AtomicInteger();

    /**
     * @param poolSize backends in the pool, for the cap
     * @param clock    {@link System#nanoTime()}, or a test's clock
     */
    public OutlierDetection(int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos,
            int maxEjectionPercent, int poolSize, LongSupplier clock) {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutiveFailures: " + consecutiveFailures + " (expected: >= 1)");
        }
        if (baseEjectionNanos <= 0) {
            throw new IllegalArgumentException("baseEjectionNanos: " + baseEjectionNanos + " (expected: > 0)");
        }
        if (maxEjectionNanos < baseEjectionNanos) {
            throw new IllegalArgumentException("maxEjectionNanos: " + maxEjectionNanos + " (expected: >= base "
                    + baseEjectionNanos + ")");
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("maxEjectionPercent: " + maxEjectionPercent + " (expected: 0-100)");
        }
        this.consecutiveFailures = consecutiveFailures;
        this.baseEjectionNanos = baseEjectionNanos;
        this.maxEjectionNanos = maxEjectionNanos;
        this.maxEjectionPercent = maxEjectionPercent;
        // At least one, as Envoy does: a percentage that rounds down to no backend would make the
        // feature silently useless in small pools.
        this.maxEjected = maxEjectionPercent == 0 ? 0 : Math.max(1, poolSize * maxEjectionPercent / 100);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public long baseEjectionNanos() {
        return baseEjectionNanos;
    }

    public long maxEjectionNanos() {
        return maxEjectionNanos;
    }

    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }

    /** Backends that may be ejected at once. */
    public int maxEjected() {
        return maxEjected;
    }

    /** Backends ejected now. */
    public int ejectedNow() {
        return ejected.get();
    }

    long now() {
        return clock.getAsLong();
    }

    /** The length of the {@code ejections}-th ejection (1 for the first). */
    long ejectionNanos(int ejections) {
        long length = baseEjectionNanos * Math.max(1, ejections);
        return length / Math.max(1, ejections) != baseEjectionNanos ? maxEjectionNanos : Math.min(length, maxEjectionNanos);
    }

    /** Takes one place under the cap; false when the cap is reached. */
    boolean tryReserve() {
        for (;;) {
            int current = ejected.get();
            if (current >= maxEjected) {
                return false;
            }
            if (ejected.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #tryReserve()}. */
    void release() {
        ejected.decrementAndGet();
    }

    /** Counts a backend ejected under another pool's detector (a reload carried it over). */
    void adopt() {
        ejected.incrementAndGet();
    }
}
