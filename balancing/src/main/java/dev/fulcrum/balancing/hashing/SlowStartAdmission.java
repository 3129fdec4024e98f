package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.BackendState;

/**
 * Slow start for hashing policies, which Envoy's slow start does not cover: the table stays fixed,
 * and a key whose candidate is ramping with fraction {@code f} is admitted only when
 * {@code u(key, backend) < f}, where {@code u} is a uniform value in [0, 1) derived from the key's
 * hash and the backend's name (never from the table). A key not admitted walks on to the next
 * backend of its preference sequence, exactly as it would if the backend were draining.
 *
 * <p>Why it works (docs/operations-flow.md has the longer sketch): {@code u} is independent of the
 * table, so of the keys whose first choice is the backend a fraction {@code f} is admitted, and the
 * backend's share is {@code f} times its full share: linear in time when {@code f} is. The admitted
 * keys are those with {@code u < f}; as {@code f} grows that set only grows, so a key that moved to
 * the ramping backend stays there for the rest of the ramp, and the keys that never left it are
 * the same on every instance. Rejected keys go where they went while the backend was out: no key
 * moves twice.
 */
public final class SlowStartAdmission {

    private SlowStartAdmission() {
    }

    /** Whether {@code candidate} takes the key now: always, unless it is ramping. */
    public static boolean admits(BackendState candidate, long key) {
        double fraction = candidate.rampFraction();
        return fraction >= 1.0 || unit(key, candidate.nameSeed()) < fraction;
    }

    /** A uniform value in [0, 1) from a key and a backend's seed: the top 53 bits of their mix. */
    public static double unit(long key, long seed) {
        return (SplitMix64.mix(key ^ seed) >>> 11) * 0x1.0p-53;
    }
}
