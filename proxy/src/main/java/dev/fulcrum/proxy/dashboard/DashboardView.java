package dev.fulcrum.proxy.dashboard;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/dashboard} answers: one snapshot of the running proxy, built on the control
 * thread every tick, that the dashboard page polls and charts (docs/dashboard.md). Absent values
 * (no flow in the window, TCP_INFO not read under NIO, a node not read yet) are {@code null}.
 *
 * @param timestampMillis wall-clock time of the snapshot
 * @param windowSeconds   the span over which rates and quantiles are measured
 */
public record DashboardView(long timestampMillis, long tickMillis, double windowSeconds, String version, String state,
        String transport, long uptimeMillis, List<PoolView> pools, List<ClassView> classes, List<NodeView> nodes,
        List<Map<String, Object>> models) {

    /**
     * @param insightQuantities every quantity the policy's {@code insight()} reported for some
     *                          backend of the pool, sorted, so the page can lay out one chart each
     */
    public record PoolView(String name, String policy, List<String> insightQuantities, List<BackendView> backends) {
    }

    /**
     * @param rttMillis the kernel's smoothed RTT of the backend sockets (TCP_INFO, epoll), moving average
     * @param insight   what the pool's policy knows about this backend ({@code BalancingPolicy.insight()})
     */
    public record BackendView(String name, String address, String state, boolean healthy, int weight, int activeFlows,
            long flows, long connectFailures, Double flowsPerSecond, Double rttMillis, Double fctP50Millis,
            Double fctP99Millis, Map<String, Double> insight) {
    }

    /** A bandwidth class: the rate the pressure controller set and the rate measured, bytes per second. */
    public record ClassView(String name, long rate, long measuredRate) {
    }

    /** A storage node of the bandwidth classes: its last watermark and the pressure it maps to. */
    public record NodeView(String name, Double watermark, Double pressure) {
    }

    /** {@code null} for NaN and infinities, which JSON cannot carry. */
    public static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
