package dev.fulcrum.balancing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one backend, shared by every event loop and the control thread.
 *
 * <p>Threading: event loops call {@link #tryAcquire()} and {@link #release()} for each flow;
 * policies read {@link #activeFlows()} and {@link #acceptsNewFlows()}. Everything is a single
 * atomic or volatile access, so the pick path never takes a lock.
 */
public final class BackendState {

    private final Backend backend;
    private final int index;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean draining;

    BackendState(Backend backend, int index) {
        this.backend = backend;
        this.index = index;
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

    /** Whether a policy may send a new flow here: not draining and under its connection limit. */
    public boolean acceptsNewFlows() {
        if (draining) {
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

    @Override
    public String toString() {
        return backend.name() + "(" + backend.address() + ", weight " + backend.weight() + ", active " + active.get() + ")";
    }
}
