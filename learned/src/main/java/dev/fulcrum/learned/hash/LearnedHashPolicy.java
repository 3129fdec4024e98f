package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.learned.ModelSlot;

/**
 * The learned hash (DLB, Zhu et al., IEEE CLOUD 2021): a flow's key goes through the slot's
 * compiled model to a position on the circle, and from there to the first server clockwise
 * ({@link LearnedHashRing}), optionally under the bounded-load wrapper for hot keys. Until a model
 * has loaded, the configured fallback policy picks. No inference, lock or allocation per pick.
 */
public final class LearnedHashPolicy implements BalancingPolicy {

    private final ModelSlot<CompiledLearnedHash> slot;
    private final LearnedHashRing ring;
    private final BalancingPolicy learned;
    private final BalancingPolicy fallback;

    LearnedHashPolicy(ModelSlot<CompiledLearnedHash> slot, LearnedHashRing ring, BalancingPolicy learned, BalancingPolicy fallback) {
        this.slot = slot;
        this.ring = ring;
        this.learned = learned;
        this.fallback = fallback;
    }

    @Override
    public BackendState pick(Flow flow) {
        // A slot only goes from no model to a model, never back: no race between this check and the hash.
        return slot.compiled() == null ? fallback.pick(flow) : learned.pick(flow);
    }

    @Override
    public BackendSet backends() {
        return ring.backends();
    }

    public ModelSlot<CompiledLearnedHash> slot() {
        return slot;
    }

    public LearnedHashRing ring() {
        return ring;
    }

    BalancingPolicy fallback() {
        return fallback;
    }
}
