package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.ProxyStatus.BackendStatus;
import dev.fulcrum.proxy.ProxyStatus.HealthStatus;
import dev.fulcrum.proxy.ProxyStatus.ListenerStatus;
import dev.fulcrum.proxy.ProxyStatus.PoolStatus;
import dev.fulcrum.proxy.ProxyStatus.RetiringBackend;
import dev.fulcrum.proxy.health.HealthState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The admin API's views of a running proxy: {@code /api/status} and {@code /api/backends}. */
public final class ProxyViews {

    private ProxyViews() {
    }

    /**
     * What {@code GET /api/backends} answers: every pool's backends, each with its effective state
     * and its totals since start (totals go on across reloads that keep the backend).
     */
    public record BackendsView(List<PoolBackends> pools, List<RetiringBackend> retiring) {
    }

    public record PoolBackends(String name, String policy, List<BackendTotals> backends) {
    }

    /**
     * @param state         the effective state: {@code draining} (by hand), {@code down} (health
     *                      checks), {@code ejected} (passive ejection), {@code slow-start} (ramping
     *                      back) or {@code up}, the first that applies
     * @param flows         flows given to the backend since start
     * @param connectFailures connects to it that failed or timed out
     * @param insight       what the pool's policy knows about the backend ({@code BalancingPolicy.insight()}:
     *                      predicted load, selection probability, Q-value...), empty for most policies
     */
    public record BackendTotals(String name, String address, int weight, int maxConnections, String state,
            boolean draining, boolean healthy, int activeFlows, long flows, long connectFailures,
            long bytesToBackend, long bytesToClient, Map<String, Double> insight) {
    }

    static String effectiveState(BackendState b) {
        return b.isDraining() ? "draining" : !b.isHealthy() ? "down" : b.isEjected() ? "ejected"
                : b.rampFraction() < 1.0 ? "slow-start" : "up";
    }

    static BackendStatus backendStatus(FulcrumProxy proxy, Pool pool, BackendState b) {
        return new BackendStatus(b.backend().name(), b.backend().address(), b.weight(),
                effectiveState(b), b.activeFlows(), b.backend().maxConnections(), healthStatus(proxy, pool, b));
    }

    private static HealthStatus healthStatus(FulcrumProxy proxy, Pool pool, BackendState backend) {
        HealthState health = proxy.healthChecks == null ? null : proxy.healthChecks.state(backend);
        if (health == null || pool.config().health() == null) {
            return null;
        }
        return new HealthStatus(pool.config().health().type().configName(), health.isUp() ? "up" : "down",
                health.consecutivePasses(), health.consecutiveFailures(), health.rise(), health.fall());
    }

    static ProxyStatus status(FulcrumProxy proxy) {
        List<ListenerStatus> listenerStatuses = new ArrayList<>();
        for (ListenerSocket socket : proxy.listeners.values()) {
            Listener l = socket.current();
            String address = socket.serverChannel() == null ? l.config().bind().toString() : String.valueOf(socket.serverChannel().localAddress());
            listenerStatuses.add(new ListenerStatus(l.name(), address, l.pool().name(), socket.openConnections(),
                    l.config().maxConnections(), socket.acceptedCount(), socket.endedCount(EndReason.LISTENER_FULL)));
        }
        List<PoolStatus> poolStatuses = new ArrayList<>();
        for (Pool pool : proxy.pools.values()) {
            List<BackendStatus> backends = new ArrayList<>();
            for (BackendState b : pool.backends().states()) {
                backends.add(backendStatus(proxy, pool, b));
            }
            poolStatuses.add(new PoolStatus(pool.name(), pool.config().policy().type(), backends));
        }
        var config = proxy.config;
        return new ProxyStatus(Version.get(), proxy.state(), proxy.transportName(), proxy.eventLoops(), proxy.uptimeMillis(),
                proxy.configChecksum(), config.source() == null ? null : config.source().toString(), proxy.lastReload(),
                listenerStatuses, poolStatuses, retiring(proxy));
    }

    static BackendsView backends(FulcrumProxy proxy) {
        List<PoolBackends> pools = new ArrayList<>();
        for (Pool pool : proxy.pools.values()) {
            List<BackendTotals> backends = new ArrayList<>();
            Map<String, Map<String, Double>> insight = insight(pool);
            for (BackendState b : pool.backends().states()) {
                Pool.BackendMeters m = pool.meters(b);
                backends.add(new BackendTotals(b.backend().name(), b.backend().address(), b.weight(), b.backend().maxConnections(),
                        effectiveState(b), b.isDraining(), b.isHealthy(), b.activeFlows(), (long) m.flows.count(),
                        (long) m.connectFailures.count(), (long) m.bytesToBackend.count(), (long) m.bytesToClient.count(),
                        finite(insight.get(b.backend().name()))));
            }
            pools.add(new PoolBackends(pool.name(), pool.config().policy().type(), backends));
        }
        return new BackendsView(pools, retiring(proxy));
    }

    /** The policy's insight (the admin server may read it: see {@code BalancingPolicy.insight()}); empty if it throws. */
    private static Map<String, Map<String, Double>> insight(Pool pool) {
        try {
            Map<String, Map<String, Double>> insight = pool.policy().insight();
            return insight == null ? Map.of() : insight;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** NaN and infinities become null (JSON has neither). */
    static Map<String, Double> finite(Map<String, Double> quantities) {
        if (quantities == null || quantities.isEmpty()) {
            return Map.of();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        quantities.forEach((name, value) -> out.put(name, value == null || !Double.isFinite(value) ? null : value));
        return out;
    }

    private static List<RetiringBackend> retiring(FulcrumProxy proxy) {
        long now = System.nanoTime();
        return proxy.retiredBackends.retiring().stream()
                .map(r -> new RetiringBackend(r.pool(), r.state().backend().name(), r.state().backend().address(),
                        r.state().activeFlows(), Math.max(0, TimeUnit.NANOSECONDS.toMillis(r.deadlineNanos() - now))))
                .toList();
    }
}
