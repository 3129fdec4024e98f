package dev.fulcrum.balancing.boundedload;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashRing;
import dev.fulcrum.balancing.hashing.HashingPolicy;
import dev.fulcrum.balancing.hashing.SlowStartAdmission;
import java.util.Objects;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, SODA 2018, §2): a backend
 * takes a new flow only while its active flows are under
 * {@code ceil(c * (total active + 1) * weight / total weight)}, which is
 * {@code ceil(c * (total active + 1) / N)} with equal weights; a key whose backend is at the bound
 * walks on along its preference sequence (the ring's next backend clockwise, Maglev's next slot) to
 * the first one under it. So no backend holds more than {@code ceil(c * average)} flows (times its
 * weight share), and a key keeps its own backend whenever that one is under the bound.
 *
 * <p>A decorator over any {@link HashRing}, as Envoy's {@code BoundedLoadHashingLoadBalancer} wraps
 * its hashing tables: the tables know nothing of loads.
 *
 * <p>The totals count the backends that are not draining (a draining backend's flows are leaving and
 * it takes no new ones). No shared counter of the pool's flows exists (Envoy reads its cluster's
 * {@code upstream_rq_active} gauge), so each pick sums the active flows of the set: O(backends)
 * volatile reads, no writes, no allocation; about 5 microseconds at 1000 backends
 * (docs/balancing-benchmarks.md). A pool-wide counter in {@code BackendSet} would make it O(1). After
 * {@link #MAX_PROBES} candidates at the bound (or unusable), the pick takes the first backend under
 * the bound counting from a place the key decides, and when none is (only possible when the ones
 * under it are full or tried) the usable backend with the fewest flows per unit of weight: the
 * bound steers flows, it never refuses one.
 *
 * <p>Slow start: a ramping candidate under the bound takes only the keys
 * {@link SlowStartAdmission} admits, as in {@link HashingPolicy}.
 */
final class BoundedLoadPolicy implements BalancingPolicy {

    /**
     * Candidates probed before the scan. The paper bounds the expected walk by O(1/(c-1)^2)
     * (16 for c = 1.25) and long walks are rare; the scan keeps the worst case at O(backends).
     */
    static final int MAX_PROBES = 64;

    private final HashRing ring;
    private final HashFunction hash;
    private final double factor;
    private final int probes;
    /** The set's states and weights as arrays: the per-pick sum reads them without a list or a record in between. */
    private final BackendState[] states;
    private final int[] weights;

    BoundedLoadPolicy(HashRing ring, HashFunction hash, double factor) {
        if (!(factor > 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor: " + factor + " (expected: > 1)");
        }
        this.ring = Objects.requireNonNull(ring, "ring");
        this.hash = Objects.requireNonNull(hash, "hash");
        this.factor = factor;
        this.probes = Math.min(ring.period(), MAX_PROBES);
        this.states = ring.backends().states().toArray(new BackendState[0]);
        this.weights = new int[states.length];
        for (int i = 0; i < states.length; i++) {
            weights[i] = states[i].weight();
        }
    }

    @Override
    public BackendState pick(Flow flow) {
        long active = 0;
        long weight = 0;
        for (int i = 0; i < states.length; i++) {
            BackendState state = states[i];
            if (!state.isDraining()) {
                active += state.activeFlows();
                weight += weights[i];
            }
        }
        if (weight == 0) {
            return null; // empty, or every backend draining
        }
        double boundPerWeight = factor * (active + 1) / weight;
        long key = HashingPolicy.keyOf(hash, flow);
        int cursor = HashingPolicy.startCursor(ring, key, flow);
        BackendState declined = null;
        for (int i = 0; i < probes; i++) {
            BackendState candidate = ring.at(key, cursor);
            if (flow.canUse(candidate) && underBound(candidate, boundPerWeight)) {
                if (SlowStartAdmission.admits(candidate, key)) {
                    return candidate;
                }
                if (declined == null) {
                    declined = candidate; // ramping and not admitting this key: walk on
                }
            }
            cursor = ring.next(key, cursor);
        }
        return declined != null ? declined : scan(ring.backends(), key, flow, boundPerWeight);
    }

    /** Whether a backend may take one more flow under the bound. */
    static boolean underBound(BackendState state, double boundPerWeight) {
        return state.activeFlows() < Math.ceil(boundPerWeight * state.weight());
    }

    private static BackendState scan(BackendSet backends, long key, Flow flow, double boundPerWeight) {
        int n = backends.size();
        int start = (int) Long.remainderUnsigned(key, n);
        BackendState least = null;
        long leastActive = 0;
        long leastWeight = 1;
        for (int i = 0; i < n; i++) {
            int index = start + i;
            BackendState candidate = backends.get(index < n ? index : index - n);
            if (!flow.canUse(candidate)) {
                continue;
            }
            if (underBound(candidate, boundPerWeight)) {
                return candidate;
            }
            long active = candidate.activeFlows();
            // active / weight < leastActive / leastWeight, without division.
            if (least == null || active * leastWeight < leastActive * candidate.weight()) {
                least = candidate;
                leastActive = active;
                leastWeight = candidate.weight();
            }
        }
        return least;
    }

    HashRing ring() {
        return ring;
    }

    double factor() {
        return factor;
    }

    @Override
    public BackendSet backends() {
        return ring.backends();
    }
}
