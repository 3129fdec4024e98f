package dev.fulcrum.qos;

import java.util.List;

/**
 * A bandwidth class: one data-migration task of PASCAL (throughput, flush, tier-down, garbage
 * collection...), made of weighted edges. Its pressure difference is the weighted mean of its
 * edges' pressure differences (§4.2, Eq. 15).
 *
 * @param client  the client throughput task, whose rate the controller changes prudently (§4.2,
 *                "learning to cooperation")
 * @param maxRate the most bandwidth the task can use (bytes or MB per second), or infinity
 */
public record BandwidthTask(String name, List<Edge> edges, boolean client, double maxRate) {

    public BandwidthTask {
        Checks.name(name, "task");
        edges = List.copyOf(edges);
        Checks.check(!edges.isEmpty(), "task %s: edges: none (expected: at least one)", name);
        Checks.check(maxRate > 0, "task %s: maxRate: %s (expected: > 0)", name, maxRate);
    }

    public static BandwidthTask of(String name, Edge... edges) {
        return new BandwidthTask(name, List.of(edges), false, Double.POSITIVE_INFINITY);
    }

    public static BandwidthTask client(String name, Edge... edges) {
        return new BandwidthTask(name, List.of(edges), true, Double.POSITIVE_INFINITY);
    }

    public BandwidthTask withMaxRate(double rate) {
        return new BandwidthTask(name, edges, client, rate);
    }
}
