package dev.fulcrum.learned.incast;

/**
 * How a choosing component (core or aggregate) picks a child for a new flow in the simulator.
 * {@link #onTick} runs once per tick (the control thread's work: feedback, inference, training);
 * {@link #choose} runs per flow (the event loop's work) and must stay cheap.
 */
interface Router {

    /** Called at the start of every tick, before that tick's flows. */
    void onTick(IncastSimulator sim);

    /** The child slot of {@code component} for a flow with hash {@code flowHash}. */
    int choose(int component, long flowHash, long random);

    /** A flow placed by {@code component} on {@code slot} measured this RTT (ms) and loss on its hop. */
    default void onPlaced(int component, int slot, double rtt, double loss, IncastSimulator sim) {
    }
}
