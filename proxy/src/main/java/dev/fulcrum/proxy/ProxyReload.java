package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.health.HealthChecks;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a new configuration to a running proxy, all or nothing, without closing an open flow.
 *
 * <ol>
 * <li>Prepare, with no effect on what runs: build every pool (resolve addresses, carry the live
 *     state of backends that stay, build the policies off the event loops); bind every new or
 *     moved listener with accepting paused. A failure closes what was bound and refuses the reload.
 * <li>Commit, which cannot fail: move meters and health checks to the new states, publish each
 *     listener's new settings and pool (one volatile write each; a flow keeps what it was accepted
 *     with), start accepting on the new sockets, close removed and moved-away listening sockets
 *     (their open flows go on), retire removed backends (no new flows; open ones get their pool's
 *     {@code removedBackendDrainTimeout}).
 * </ol>
 * Reloads and drain/undrain hold {@link FulcrumProxy#reloadLock}, so they never interleave.
 */
final class ProxyReload {

    private static final Logger log = LoggerFactory.getLogger(FulcrumProxy.class);

    private ProxyReload() {
    }

    static void registerMeters(FulcrumProxy proxy) {
        proxy.registry().counter(MeterNames.CONFIG_RELOADS, MeterNames.TAG_RESULT, ReloadResult.OK);
        proxy.registry().counter(MeterNames.CONFIG_RELOADS, MeterNames.TAG_RESULT, ReloadResult.REFUSED);
        Gauge.builder(MeterNames.CONFIG_LAST_RELOAD_SUCCESS, proxy, p -> p.lastReloadSuccessMillis / 1000.0)
                .baseUnit("seconds").register(proxy.registry());
    }

    static void count(FulcrumProxy proxy, ReloadResult result) {
        proxy.registry().counter(MeterNames.CONFIG_RELOADS, MeterNames.TAG_RESULT, result.result()).increment();
        proxy.lastReload = result;
    }

    /** Reads the running configuration's file again and applies it. */
    static ReloadResult fromFile(FulcrumProxy proxy) {
        FulcrumConfig running = proxy.config;
        if (running.source() == null) {
            return refused(proxy, List.of("no configuration file to read again: this proxy was started from a"
                    + " configuration built in code"), 0);
        }
        long start = System.nanoTime();
        FulcrumConfig next;
        try {
            next = ConfigLoader.load(running.source());
        } catch (ConfigException e) {
            return refused(proxy, e.problems().stream().map(Object::toString).toList(), start);
        }
        return apply(proxy, next);
    }

    static ReloadResult apply(FulcrumProxy proxy, FulcrumConfig next) {
        synchronized (proxy.reloadLock) {
            long start = System.nanoTime();
            if (!proxy.isRunning()) {
                return refused(proxy, List.of("the proxy is " + proxy.state() + ", not running"), start);
            }
            FulcrumConfig running = proxy.config;
            Map<String, Pool> before = proxy.pools;
            Map<String, Pool> pools = new LinkedHashMap<>();
            try {
                for (PoolConfig pc : next.pools().values()) {
                    pools.put(pc.name(), Pool.create(pc, before.get(pc.name())));
                }
            } catch (RuntimeException e) {
                return refused(proxy, List.of(e.getMessage()), start);
            }
            Map<String, ListenerSocket> sockets = new LinkedHashMap<>();
            Map<ListenerSocket, Channel> newlyBound = new LinkedHashMap<>();
            try {
                for (ListenerConfig lc : next.listeners().values()) {
                    ListenerSocket socket = proxy.listeners.get(lc.name());
                    boolean moved = socket != null && !socket.current().config().bind().equals(lc.bind());
                    if (socket == null) {
                        socket = new ListenerSocket(lc.name(), proxy.warnings());
                    }
                    sockets.put(lc.name(), socket);
                    if (moved || socket.serverChannel() == null) {
                        newlyBound.put(socket, proxy.binder.bind(socket, lc.bind()));
                    }
                }
            } catch (RuntimeException e) {
                newlyBound.values().forEach(ch -> ch.close().awaitUninterruptibly());
                return refused(proxy, List.of(e.getMessage()), start);
            }
            ReloadResult.Changes changes = ConfigChanges.between(running, next);
            commit(proxy, next, before, pools, sockets, newlyBound);
            String previous = proxy.checksum;
            String checksum = ConfigChanges.checksum(next);
            List<String> needsRestart = ConfigChanges.needsRestart(running, next);
            ReloadResult result = new ReloadResult(ReloadResult.OK, checksum, previous, changes, needsRestart, List.of(),
                    elapsedMillis(start));
            // The result first: whoever sees the new checksum in the status also sees the reload that made it.
            proxy.countReload(result);
            proxy.lastReloadSuccessMillis = System.currentTimeMillis();
            proxy.checksum = checksum;
            log.info("configuration reloaded ({} -> {}): {}", previous, proxy.checksum, changes.isEmpty() ? "nothing changed" : changes);
            if (!needsRestart.isEmpty()) {
                log.warn("configuration reloaded, but these settings only take effect on a restart: {}", needsRestart);
            }
            return result;
        }
    }

    private static void commit(FulcrumProxy proxy, FulcrumConfig next, Map<String, Pool> before, Map<String, Pool> pools,
            Map<String, ListenerSocket> sockets, Map<ListenerSocket, Channel> newlyBound) {
        var registry = proxy.registry();
        // Marked draining before anything is published, so that no policy (a flow accepted before
        // the reload may still pick from the old one) sends a new flow to a removed backend.
        List<Removed> removed = removedBackends(before, pools);
        removed.forEach(r -> r.state().setDraining(true));
        // Gauges of removed backends go first: a backend re-added under the same name registers anew.
        before.forEach((name, old) -> old.removeGaugesNotIn(pools.get(name), registry));
        pools.forEach((name, pool) -> {
            pool.activate(registry, before.get(name));
            if (pool.config().health() == null) {
                // No checks (any more): nothing would ever set a copied DOWN back to UP.
                pool.backends().states().forEach(s -> s.setHealthy(true));
            }
        });
        proxy.healthChecks.update(healthTargets(pools));
        Map<String, dev.fulcrum.balancing.BackendSet> measured = new java.util.LinkedHashMap<>();
        pools.forEach((name, pool) -> measured.put(name, pool.backends()));
        proxy.telemetry().replacePools(measured);
        for (ListenerSocket socket : sockets.values()) {
            ListenerConfig lc = next.listeners().get(socket.name());
            if (socket.current() == null) {
                socket.registerMeters(registry);
            }
            socket.publish(new Listener(lc, pools.get(lc.pool()), proxy.binder.backendConnector(lc), socket));
            Channel bound = newlyBound.get(socket);
            if (bound != null) {
                Channel old = socket.serverChannel();
                socket.bound(bound);
                ListenerBinder.startAccepting(bound);
                if (old != null) {
                    old.close().awaitUninterruptibly();
                }
            }
        }
        for (ListenerSocket socket : proxy.listeners.values()) {
            if (!sockets.containsKey(socket.name())) {
                socket.serverChannel().close().awaitUninterruptibly();
                proxy.retiredListeners.add(socket);
                log.info("listener {} removed: no longer accepting; its {} open flows go on", socket.name(), socket.openConnections());
            }
        }
        proxy.pools = Collections.unmodifiableMap(pools);
        proxy.listeners = Collections.unmodifiableMap(sockets);
        proxy.config = next;
        removed.forEach(r -> proxy.retiredBackends.retire(r.pool(), r.state(), r.drainTimeout()));
    }

    private record Removed(String pool, BackendState state, Duration drainTimeout) {
    }

    /** The backends of {@code before} that {@code pools} no longer has (same name and address). */
    private static List<Removed> removedBackends(Map<String, Pool> before, Map<String, Pool> pools) {
        List<Removed> removed = new ArrayList<>();
        for (Pool old : before.values()) {
            Pool now = pools.get(old.name());
            Duration drain = (now != null ? now.config() : old.config()).removedBackendDrainTimeout();
            for (BackendState state : old.backends().states()) {
                BackendState after = now == null ? null : now.backends().byName(state.backend().name());
                if (after == null || !after.sharesLiveStateWith(state)) {
                    removed.add(new Removed(old.name(), state, drain));
                }
            }
        }
        return removed;
    }

    static List<HealthChecks.Target> healthTargets(Map<String, Pool> pools) {
        List<HealthChecks.Target> targets = new ArrayList<>();
        for (Pool pool : pools.values()) {
            if (pool.config().health() != null) {
                for (BackendState b : pool.backends().states()) {
                    targets.add(new HealthChecks.Target(pool.name(), b, pool.address(b), pool.config().health()));
                }
            }
        }
        return targets;
    }

    static ReloadResult refused(FulcrumProxy proxy, List<String> errors, long startNanos) {
        ReloadResult result = new ReloadResult(ReloadResult.REFUSED, proxy.checksum, proxy.checksum, ReloadResult.Changes.NONE,
                List.of(), List.copyOf(errors), startNanos == 0 ? 0 : elapsedMillis(startNanos));
        proxy.countReload(result);
        log.warn("configuration reload refused, the running configuration ({}) stays: {}", proxy.checksum,
                errors.size() == 1 ? errors.get(0) : errors.size() + " problems:\n  " + String.join("\n  ", errors));
        return result;
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
