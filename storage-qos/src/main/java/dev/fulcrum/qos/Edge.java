package dev.fulcrum.qos;

/**
 * One data-migration relation of a task (PASCAL §3.1, Eq. 6): data of the task moves from
 * {@code from} to {@code to} in proportion {@code weight} of the task's bandwidth. Ends name a node
 * or a port.
 */
public record Edge(String from, String to, double weight) {

    public Edge {
        Checks.name(from, "edge source");
        Checks.name(to, "edge destination");
        Checks.check(!from.equals(to), "edge %s -> %s: a self loop (expected: two different ends)", from, to);
        Checks.check(weight > 0 && Double.isFinite(weight), "edge %s -> %s: weight: %s (expected: > 0)", from, to, weight);
    }
}
