package dev.fulcrum.proxy;

import java.util.List;

/**
 * What {@code GET /api/status} answers: a consistent-enough snapshot of listeners, pools and
 * backends (each number is read atomically; the whole is not one transaction).
 *
 * @param configChecksum   {@code sha256:...} of the running configuration's normalised form
 * @param configFile       the file it was read from, or {@code null} when built in code
 * @param lastReload       the last reload's result, or {@code null} when there was none
 * @param retiringBackends backends a reload removed whose open flows have not ended yet
 */
public record ProxyStatus(
        String version,
        String state,
        String transport,
        int eventLoops,
        long uptimeMillis,
        String configChecksum,
        String configFile,
        ReloadResult lastReload,
        List<ListenerStatus> listeners,
        List<PoolStatus> pools,
        List<RetiringBackend> retiringBackends) {

    /** A removed backend still finishing flows; they are closed {@code closesInMillis} from now (0: being closed). */
    public record RetiringBackend(String pool, String name, String address, int activeFlows, long closesInMillis) {
    }

    public record ListenerStatus(
            String name, String address, String pool, int openConnections, int maxConnections,
            long accepted, long rejectedAtLimit) {
    }

    public record PoolStatus(String name, String policy, List<BackendStatus> backends) {
    }

    /**
     * @param state  {@code up}; {@code draining} when drained by hand, {@code down} when its health
     *               checks failed, {@code ejected} while passive ejection keeps it out (these take no
     *               new flows; shown in that order); {@code slow-start} while its share ramps up
     * @param health the health checks' view, or {@code null} when the pool has no checks
     */
    public record BackendStatus(
            String name, String address, int weight, String state, int activeFlows, int maxConnections,
            HealthStatus health) {
    }

    /**
     * @param type                {@code tcp} or {@code http}
     * @param state               {@code up} or {@code down}
     * @param consecutivePasses   passed checks in a row (to go up: {@code rise})
     * @param consecutiveFailures failed checks in a row (to go down: {@code fall})
     */
    public record HealthStatus(String type, String state, int consecutivePasses, int consecutiveFailures, int rise, int fall) {
    }
}
