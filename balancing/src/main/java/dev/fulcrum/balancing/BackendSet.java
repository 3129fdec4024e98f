package dev.fulcrum.balancing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The backends of one pool, in configuration order. Immutable: a change of the pool builds a new
 * set (and a new policy from it); {@link BackendState} objects carry live counts across the change
 * when the caller passes them on.
 */
public final class BackendSet {

    private final List<BackendState> states;

    private BackendSet(List<BackendState> states) {
        this.states = Collections.unmodifiableList(states);
    }

    /**
     * Builds a set of fresh states.
     *
     * <pre>{@code
     * BackendSet set = BackendSet.of(List.of(new Backend("a", "127.0.0.1", 9001, 1, 0)));
     * }</pre>
     */
    public static BackendSet of(List<Backend> backends) {
        List<BackendState> states = new ArrayList<>(backends.size());
        Set<String> names = new HashSet<>();
        for (Backend backend : backends) {
            if (!names.add(backend.name())) {
                throw new IllegalArgumentException("backend name: " + backend.name() + " (expected: unique in its pool)");
            }
            states.add(new BackendState(backend, states.size()));
        }
        return new BackendSet(states);
    }

    /**
     * Builds the set a reload gives: a backend of {@code previous} with the same name and address
     * is the same backend, and its new state shares the live counters of the old one (active
     * flows, latency) and copies its flags (draining, health), whatever its new weight, limit or
     * position; other backends start fresh.
     *
     * <pre>{@code
     * BackendSet next = BackendSet.carryingOver(newBackends, pool.backends());
     * }</pre>
     */
    public static BackendSet carryingOver(List<Backend> backends, BackendSet previous) {
        List<BackendState> states = new ArrayList<>(backends.size());
        Set<String> names = new HashSet<>();
        for (Backend backend : backends) {
            if (!names.add(backend.name())) {
                throw new IllegalArgumentException("backend name: " + backend.name() + " (expected: unique in its pool)");
            }
            BackendState before = previous == null ? null : previous.byName(backend.name());
            states.add(before != null && sameAddress(before.backend(), backend)
                    ? new BackendState(backend, states.size(), before)
                    : new BackendState(backend, states.size()));
        }
        return new BackendSet(states);
    }

    /** Whether two configurations of a backend name the same host and port (its identity with its name). */
    public static boolean sameAddress(Backend a, Backend b) {
        return a.host().equals(b.host()) && a.port() == b.port();
    }

    public int size() {
        return states.size();
    }

    public boolean isEmpty() {
        return states.isEmpty();
    }

    public BackendState get(int index) {
        return states.get(index);
    }

    public List<BackendState> states() {
        return states;
    }

    /**
     * A backend the flow can use, drawn in proportion to weight (scaled down for a backend in slow
     * start, {@link BackendState#rampedWeight1024()}): {@code draw} (any 64-bit value, spread
     * uniformly) picks the point. O(backends) with indexed loops (no iterator on the pick
     * path); {@code null} when no backend is usable.
     */
    public BackendState usableByWeight(Flow flow, long draw) {
        int n = states.size();
        long usableWeight = 0;
        for (int i = 0; i < n; i++) {
            BackendState candidate = states.get(i);
            if (flow.canUse(candidate)) {
                usableWeight += candidate.rampedWeight1024();
            }
        }
        if (usableWeight == 0) {
            return null;
        }
        long point = Long.remainderUnsigned(draw, usableWeight);
        BackendState lastUsable = null;
        for (int i = 0; i < n; i++) {
            BackendState candidate = states.get(i);
            if (flow.canUse(candidate)) {
                lastUsable = candidate;
                long weight = candidate.rampedWeight1024();
                if (point < weight) {
                    return candidate;
                }
                point -= weight;
            }
        }
        // A backend filled up between the two scans: take the last one still usable.
        return lastUsable;
    }

    public BackendState byName(String name) {
        for (BackendState state : states) {
            if (state.backend().name().equals(name)) {
                return state;
            }
        }
        return null;
    }
}
