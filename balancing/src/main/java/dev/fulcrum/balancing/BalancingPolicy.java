package dev.fulcrum.balancing;

import java.util.Map;

/**
 * Picks a backend for each new flow.
 *
 * <h2>Threading</h2>
 * A policy is an immutable snapshot built off the data plane (by the control thread or a config
 * load) and published through a volatile field. {@link #pick(Flow)} is called concurrently by every
 * event loop: it must not block, take a lock or allocate in steady state, and it may only read the
 * live {@link BackendState} through its atomic accessors. When a pool changes, a new policy is
 * built; {@link PolicyFactory#create} receives the previous one to carry state over.
 */
public interface BalancingPolicy {

    /**
     * Returns the backend for this flow, or {@code null} when none is eligible (all draining, full
     * or already tried by the flow).
     */
    BackendState pick(Flow flow);

    /** The backends this policy picks from. */
    BackendSet backends();

    /**
     * What the policy knows about each backend beyond the pool's own state, for operators (the
     * admin API and the live dashboard): a learned policy's predicted load, selection probability
     * or Q-value, say. Keyed by {@link Backend#name()}, then by a camelCase quantity name
     * ({@code predictedLoad}, {@code selectionProbability}, {@code qValue}...). Read by the control
     * thread or the admin server, never per flow; may allocate. Empty for policies with nothing to
     * add.
     */
    default Map<String, Map<String, Double>> insight() {
        return Map.of();
    }
}
