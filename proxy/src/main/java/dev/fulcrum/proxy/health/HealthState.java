package dev.fulcrum.proxy.health;

/**
 * One backend's rise/fall state machine, with HAProxy's meaning: a DOWN backend goes UP after
 * {@code rise} consecutive passed checks, an UP one goes DOWN after {@code fall} consecutive failed
 * ones. A result that goes against the run resets it, so a flapping backend moves neither way.
 *
 * <p>Starts UP ("up until proven down"): a restarted proxy sends traffic at once rather than
 * blackholing every pool until {@code rise} checks have passed.
 *
 * <p>Threading: {@link #record} is called by one thread (the health-check thread); the getters
 * may be read from any thread (the admin API), each value on its own.
 */
public final class HealthState {

    private final int rise;
    private final int fall;
    private volatile boolean up = true;
    private volatile int consecutivePasses;
    private volatile int consecutiveFailures;

    public HealthState(int rise, int fall) {
        if (rise < 1) {
            throw new IllegalArgumentException("rise: " + rise + " (expected: >= 1)");
        }
        if (fall < 1) {
            throw new IllegalArgumentException("fall: " + fall + " (expected: >= 1)");
        }
        this.rise = rise;
        this.fall = fall;
    }

    /** Records one check's result; returns whether it moved the backend UP or DOWN. */
    public boolean record(boolean passed) {
        if (passed) {
            consecutiveFailures = 0;
            // Saturating: a backend that passes for years must not wrap around to negative.
            int passes = consecutivePasses == Integer.MAX_VALUE ? Integer.MAX_VALUE : consecutivePasses + 1;
            consecutivePasses = passes;
            if (!up && passes >= rise) {
                up = true;
                return true;
            }
        } else {
            consecutivePasses = 0;
            int failures = consecutiveFailures == Integer.MAX_VALUE ? Integer.MAX_VALUE : consecutiveFailures + 1;
            consecutiveFailures = failures;
            if (up && failures >= fall) {
                up = false;
                return true;
            }
        }
        return false;
    }

    /**
     * Starts this state where a checker it replaces left off (a reload changed the pool's checks):
     * a DOWN backend stays DOWN until it passes {@code rise} new checks. Call before any {@link #record}.
     */
    public void startFrom(boolean up) {
        this.up = up;
    }

    public boolean isUp() {
        return up;
    }

    public int consecutivePasses() {
        return consecutivePasses;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    @Override
    public String toString() {
        return (up ? "up" : "down") + " (passes " + consecutivePasses + "/" + rise + ", failures " + consecutiveFailures + "/" + fall + ")";
    }
}
