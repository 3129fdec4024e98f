package dev.fulcrum.proxy.qos;

import java.util.function.LongSupplier;

/**
 * The read budget of one bandwidth class, shared by all its connections on every event loop: a
 * token bucket kept as a "theoretical arrival time" (GCRA) that says when the bytes admitted so
 * far are paid for at the class's rate. A read of {@code n} bytes moves it {@code n / rate}
 * forward; the reader waits while it is ahead of now.
 *
 * <p>Why not Netty's {@code GlobalTrafficShapingHandler} read limit: every limit change restarts
 * Netty's accounting (bytes of the interval in progress are forgotten, and the first reads after
 * the restart are judged against the previous, possibly shorter, interval), so a controller that
 * moves the rate every tick let bursts through (measured/target 0.75-1.24 in 3-second windows).
 * Here a change keeps the debt: the bytes already admitted but not yet paid for are re-priced at
 * the new rate, so what passes over any window is the integral of the rates set, give or take one
 * read and {@link #MIN_WAIT_NANOS}.
 *
 * <p>Credit: an idle or late reader may get ahead by at most {@code burstNanos} of the rate (a
 * stalled event loop catches up; an idle class cannot hoard). Thread-safe (one short lock; the
 * event loops contend only per read, never wait on it for long).
 */
final class ReadBudget {

    /** Netty's own floor for a pause: a shorter wait is not worth a scheduled task. */
    static final long MIN_WAIT_NANOS = 10_000_000L;

    private final LongSupplier nanoClock;
    private final long burstNanos;
    private long rate;
    /** When every byte admitted so far is paid for at {@link #rate}; at most burstNanos behind now. */
    private long paidUntil;
    /** The integral of the rate over time since creation, in bytes (what the class was allowed). */
    private double allowedBytes;
    private long allowedSince;

    ReadBudget(LongSupplier nanoClock, long bytesPerSecond, long burstNanos) {
        checkPositive(bytesPerSecond);
        this.nanoClock = nanoClock;
        this.burstNanos = burstNanos;
        this.rate = bytesPerSecond;
        long now = nanoClock.getAsLong();
        this.paidUntil = now;
        this.allowedSince = now;
    }

    /** Admits {@code bytes} just read; returns how long (ns) reads should pause now, 0 for none. */
    synchronized long admit(long bytes) {
        long now = nanoClock.getAsLong();
        paidUntil = Math.max(paidUntil, now - burstNanos) + nanosFor(bytes, rate);
        long wait = paidUntil - now;
        return wait >= MIN_WAIT_NANOS ? wait : 0;
    }

    /** How long (ns) a paused reader should still wait before it reads again. */
    synchronized long remainingWait() {
        long wait = paidUntil - nanoClock.getAsLong();
        return wait >= MIN_WAIT_NANOS ? wait : 0;
    }

    /** Changes the rate; bytes admitted and not yet paid for (or credit earned) keep their byte value. */
    synchronized void setRate(long bytesPerSecond) {
        checkPositive(bytesPerSecond);
        long now = nanoClock.getAsLong();
        accrue(now);
        double ahead = (double) (paidUntil - now) * rate / bytesPerSecond;
        paidUntil = now + (long) Math.max(-burstNanos, ahead);
        rate = bytesPerSecond;
    }

    synchronized long rate() {
        return rate;
    }

    /** Bytes the class was allowed since the budget was made: the integral of its rate over time. */
    synchronized double allowedBytes() {
        accrue(nanoClock.getAsLong());
        return allowedBytes;
    }

    private void accrue(long now) {
        allowedBytes += (double) (now - allowedSince) * rate / 1e9;
        allowedSince = now;
    }

    private static long nanosFor(long bytes, long rate) {
        return (long) (bytes * 1e9 / rate);
    }

    private static void checkPositive(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond: " + bytesPerSecond + " (expected: > 0)");
        }
    }
}
