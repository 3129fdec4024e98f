package dev.fulcrum.balancing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One backend's passive-ejection state ({@link OutlierDetection} holds the pool's settings and
 * count): failures in a row, when the current ejection ends, how many ejections count toward the
 * next one's length. Every transition is one CAS, so event loops and the control thread race
 * safely: the thread that wins the CAS that ejects reserved a place under the cap first, and the
 * thread that wins the CAS that ends an ejection gives the place back and starts the slow start.
 */
final class EjectionState {

    private final AtomicReference<OutlierDetection> detection = new AtomicReference<>();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** {@link BackendState#NONE}, or the clock reading at which the current ejection ends. */
    private final AtomicLong ejectedUntil = new AtomicLong(BackendState.NONE);
    /** Ejections that count toward the next one's length; written only by the thread that ejects. */
    private volatile int multiplier;
    private volatile long lastEndedNanos;
    private final AtomicLong total = new AtomicLong();

    OutlierDetection detection() {
        return detection.get();
    }

    void setDetection(OutlierDetection next) {
        OutlierDetection previous = detection.getAndSet(next);
        if (previous == next || ejectedUntil.get() == BackendState.NONE) {
            return;
        }
        if (previous != null) {
            previous.release();
        }
        if (next != null) {
            next.adopt();
        } else {
            ejectedUntil.set(BackendState.NONE);
        }
    }

    void recordSuccess() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    boolean recordFailure() {
        OutlierDetection d = detection.get();
        if (d == null) {
            return false;
        }
        if (consecutiveFailures.incrementAndGet() < d.consecutiveFailures() || ejectedUntil.get() != BackendState.NONE) {
            return false;
        }
        if (!d.tryReserve()) {
            return false; // the cap: stays in, its failures keep counting and the next one tries again
        }
        long now = d.now();
        int n = multiplier;
        if (n > 0 && now - lastEndedNanos > d.maxEjectionNanos()) {
            n = 0; // in good standing for longer than the longest ejection: start over
        }
        n++;
        long until = now + d.ejectionNanos(n);
        if (!ejectedUntil.compareAndSet(BackendState.NONE, until == BackendState.NONE ? until + 1 : until)) {
            d.release(); // another thread ejected it first
            return false;
        }
        multiplier = n;
        consecutiveFailures.set(0);
        total.incrementAndGet();
        return true;
    }

    /** {@code owner}: the state asking, whose ramp starts when this call ends the ejection (states carried over a reload share one EjectionState). */
    boolean isEjected(BackendState owner) {
        long until = ejectedUntil.get();
        if (until == BackendState.NONE) {
            return false;
        }
        OutlierDetection d = detection.get();
        long now = d == null ? until : d.now();
        if (now - until < 0) {
            return true;
        }
        if (ejectedUntil.compareAndSet(until, BackendState.NONE)) {
            if (d != null) {
                d.release();
            }
            lastEndedNanos = until;
            owner.startSlowStartAt(until);
        }
        return false;
    }

    long ejections() {
        return total.get();
    }

    int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    long ejectedUntilNanos() {
        return ejectedUntil.get();
    }
}
