package dev.fulcrum.balancing;

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
}
