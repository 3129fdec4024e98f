package dev.fulcrum.proxy;

import java.util.List;

/**
 * What {@code GET /api/status} answers: a consistent-enough snapshot of listeners, pools and
 * backends (each number is read atomically; the whole is not one transaction).
 */
public record ProxyStatus(
        String version,
        String state,
        String transport,
        int eventLoops,
        long uptimeMillis,
        List<ListenerStatus> listeners,
        List<PoolStatus> pools) {

    public record ListenerStatus(
            String name, String address, String pool, int openConnections, int maxConnections,
            long accepted, long rejectedAtLimit) {
    }

    public record PoolStatus(String name, String policy, List<BackendStatus> backends) {
    }

    /** @param state {@code up}, or {@code draining} when it takes no new flows */
    public record BackendStatus(
            String name, String address, int weight, String state, int activeFlows, int maxConnections) {
    }
}
