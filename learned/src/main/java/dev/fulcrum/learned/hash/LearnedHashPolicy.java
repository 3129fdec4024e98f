package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.learned.ModelSlot;
import java.lang.ref.WeakReference;

/**
 * The learned hash (DLB, Zhu et al., IEEE CLOUD 2021): a flow's key goes through the slot's
 * compiled model to a position on the circle, and from there to the first server clockwise
 * ({@link LearnedHashRing}), optionally under the bounded-load wrapper for hot keys. Until a model
 * has loaded, the configured fallback policy picks. No inference, lock or allocation per pick.
 *
 * <p>Fast path: without {@code boundedLoad}, a flow's first attempt reads its backend from the
 * {@link LearnedHashArcTable} of the serving model over this ring (built off the data plane when a
 * model swaps in); when the bucket straddles an arc edge, or the backend cannot take the flow (full,
 * draining, ramping), the pick takes the reference path ({@code learned}, the ring's
 * {@code HashingPolicy}), which gives the same answer wherever the fast path gives one.
 */
public final class LearnedHashPolicy implements BalancingPolicy {

    private final ModelSlot<CompiledLearnedHash> slot;
    private final LearnedHashRing ring;
    private final BalancingPolicy learned;
    private final BalancingPolicy fallback;
    /** The tap of the fast path (the reference path's hash function records on its own); null: no fast path. */
    private final KeyTap tap;
    /** The serving model's table over this ring; a stale one (another model) is not used. */
    private volatile LearnedHashArcTable table;

    LearnedHashPolicy(ModelSlot<CompiledLearnedHash> slot, LearnedHashRing ring, BalancingPolicy learned, BalancingPolicy fallback,
                      KeyTap tap) {
        this.slot = slot;
        this.ring = ring;
        this.learned = learned;
        this.fallback = fallback;
        this.tap = tap;
    }

    /**
     * Builds the table for the serving model now and after every swap. Called once, by the factory,
     * on the configuration thread. The listener holds this policy weakly: a policy replaced by a
     * reload is not kept alive by the slot (its listener then does nothing).
     */
    LearnedHashPolicy withFastPath() {
        if (tap != null) {
            WeakReference<LearnedHashPolicy> self = new WeakReference<>(this);
            slot.onSwap((before, after) -> {
                LearnedHashPolicy policy = self.get();
                if (policy != null) {
                    policy.rebuild();
                }
            });
            rebuild();
        }
        return this;
    }

    /** Off the data plane. Synchronized and reading the slot itself, so the last build is of the newest model. */
    synchronized void rebuild() {
        CompiledLearnedHash model = slot.compiled();
        LearnedHashArcTable now = table;
        if (model != null && (now == null || now.model != model)) {
            table = LearnedHashArcTable.build(model, ring);
        }
    }

    @Override
    public BackendState pick(Flow flow) {
        // A slot only goes from no model to a model, never back: no race between this check and the hash.
        CompiledLearnedHash model = slot.compiled();
        if (model == null) {
            return fallback.pick(flow);
        }
        LearnedHashArcTable fast = table;
        if (fast != null && fast.model == model && flow.attempt() == 0) {
            double encoded = model.encoding().encode(flow.rawKey());
            if (encoded == encoded) { // NaN: placed by the flow's ordinary hash, on the reference path
                int cursor = fast.cursorOf(encoded);
                if (cursor != LearnedHashArcTable.UNDECIDED) {
                    BackendState candidate = ring.at(0, cursor);
                    // HashingPolicy's first probe: usable, and admitted (rampFraction 1: not ramping).
                    if (flow.canUse(candidate) && candidate.rampFraction() >= 1.0) {
                        tap.record(encoded);
                        return candidate;
                    }
                }
            }
        }
        return learned.pick(flow);
    }

    /** The reference path alone, without the table (the benchmark's ablation). */
    BalancingPolicy reference() {
        return learned;
    }

    /** The table the fast path reads (tests). */
    LearnedHashArcTable table() {
        return table;
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
