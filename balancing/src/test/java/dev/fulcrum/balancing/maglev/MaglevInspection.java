package dev.fulcrum.balancing.maglev;

import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.hashing.HashingPolicy;

/** Test access to a Maglev policy's table, for property tests and reports in other packages. */
public final class MaglevInspection {

    private MaglevInspection() {
    }

    static MaglevTable table(BalancingPolicy policy) {
        return (MaglevTable) ((HashingPolicy) policy).ring();
    }

    /** Slots per backend. */
    public static int[] slotCounts(BalancingPolicy policy) {
        return table(policy).slotCounts();
    }
}
