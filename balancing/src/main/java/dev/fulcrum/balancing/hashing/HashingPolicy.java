package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.hash.FlowHash;
import dev.fulcrum.balancing.hash.HashFunction;
import java.util.Objects;

/**
 * Picks by a {@link HashRing}: the first backend of the key's preference sequence the flow can use
 * (not draining, under its connection limit, not tried by this flow).
 *
 * <p>A retry starts {@code flow.attempt()} places along the sequence (at most {@link #MAX_PROBES}):
 * in the usual case the places before it hold the backends the flow tried, so the walk does not
 * probe them again, and a retry never lands on the backend that just failed. When
 * {@link #MAX_PROBES} candidates are all unusable (a pool mostly draining), the pick falls back to
 * the first usable backend of the set counted from a place the key decides: O(backends), but still
 * the same answer on every instance.
 *
 * <p>A candidate in slow start takes only the keys {@link SlowStartAdmission} admits; the others
 * walk on as if it were draining.
 *
 * <pre>{@code
 * HashRing ring = ...; // a MaglevTable, a RingHash, ...
 * BalancingPolicy policy = new HashingPolicy(ring, HashFunctions.DEFAULT);
 * BackendState backend = policy.pick(flow);
 * }</pre>
 */
public final class HashingPolicy implements BalancingPolicy {

    /**
     * Candidates probed before the fallback scan: enough that a few draining or failed backends
     * never reach the scan, few enough that a walk over a rendezvous order (O(backends) a step)
     * stays bounded.
     */
    public static final int MAX_PROBES = 16;

    private final HashRing ring;
    private final HashFunction hash;
    private final int probes;

    public HashingPolicy(HashRing ring, HashFunction hash) {
        this.ring = Objects.requireNonNull(ring, "ring");
        this.hash = Objects.requireNonNull(hash, "hash");
        this.probes = Math.min(ring.period(), MAX_PROBES);
    }

    @Override
    public BackendState pick(Flow flow) {
        if (ring.backends().isEmpty()) {
            return null;
        }
        long key = keyOf(hash, flow);
        int cursor = startCursor(ring, key, flow);
        BackendState declined = null;
        for (int i = 0; i < probes; i++) {
            BackendState candidate = ring.at(key, cursor);
            if (flow.canUse(candidate)) {
                if (SlowStartAdmission.admits(candidate, key)) {
                    return candidate;
                }
                if (declined == null) {
                    declined = candidate; // ramping and not admitting this key: the key walks on
                }
            }
            cursor = ring.next(key, cursor);
        }
        // Every usable candidate was ramping (a pool that all came back at once): slow start shapes
        // shares between backends, it never refuses a flow.
        return declined != null ? declined : firstUsable(ring.backends(), key, flow);
    }

    /**
     * The flow's key as the configured function hashes it. A numeric raw key (the double keys of
     * the DLB experiments) is hashed as that number, so BKDR and Python's hash see the key itself;
     * any other flow (the proxy's, keyed by address) is hashed from its 64-bit key. A {@link FlowHash}
     * (the learned hash) reads the flow itself.
     */
    public static long keyOf(HashFunction hash, Flow flow) {
        if (hash instanceof FlowHash flowHash) {
            return flowHash.hashFlow(flow);
        }
        Object raw = flow.rawKey();
        if (raw instanceof Double || raw instanceof Float) {
            return hash.hashDouble(((Number) raw).doubleValue());
        }
        if (raw instanceof Long || raw instanceof Integer) {
            return hash.hashLong(((Number) raw).longValue());
        }
        return hash.hashLong(flow.keyHash());
    }

    /** The cursor a flow's walk starts from: {@code attempt} steps along the key's sequence. */
    public static int startCursor(HashRing ring, long key, Flow flow) {
        int cursor = ring.first(key);
        for (int skip = Math.min(flow.attempt(), MAX_PROBES); skip > 0; skip--) {
            cursor = ring.next(key, cursor);
        }
        return cursor;
    }

    /** The first backend the flow can use, counting from a place the key decides; {@code null} if none. */
    public static BackendState firstUsable(BackendSet backends, long key, Flow flow) {
        int n = backends.size();
        int start = (int) Long.remainderUnsigned(key, n);
        for (int i = 0; i < n; i++) {
            int index = start + i;
            BackendState candidate = backends.get(index < n ? index : index - n);
            if (flow.canUse(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    public HashRing ring() {
        return ring;
    }

    public HashFunction hash() {
        return hash;
    }

    @Override
    public BackendSet backends() {
        return ring.backends();
    }
}
