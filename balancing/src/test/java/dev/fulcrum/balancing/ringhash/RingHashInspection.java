package dev.fulcrum.balancing.ringhash;

import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.hashing.HashingPolicy;

/** Test access to a ring-hash policy's ring, for property tests and reports in other packages. */
public final class RingHashInspection {

    private RingHashInspection() {
    }

    static RingHash ring(BalancingPolicy policy) {
        return (RingHash) ((HashingPolicy) policy).ring();
    }

    /** Each backend's share of the ring's arcs. */
    public static double[] arcShares(BalancingPolicy policy) {
        return ring(policy).arcShares();
    }
}
