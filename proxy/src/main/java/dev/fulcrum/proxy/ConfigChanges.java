package dev.fulcrum.proxy;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.proxy.config.ConfigWriter;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.config.PoolOperations;
import dev.fulcrum.proxy.config.ValueParsers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The difference between the running configuration and a new one, as a reload reports it; and the
 * settings that only a restart applies. Pure: no socket, no side effect.
 */
final class ConfigChanges {

    private ConfigChanges() {
    }

    /** {@code sha256:<hex>} of the normalised configuration: the same for files that differ only in comments, order of defaults or spacing. */
    static String checksum(FulcrumConfig config) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ConfigWriter.toYaml(config).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Settings a running proxy cannot change: the event loops and their transport are made once,
     * the admin API's socket serves the very request that asks for the reload, and the control
     * loop's tick paces everything built at start.
     */
    static List<String> needsRestart(FulcrumConfig running, FulcrumConfig next) {
        List<String> pending = new ArrayList<>();
        if (running.runtime().transport() != next.runtime().transport()) {
            pending.add("runtime.transport: " + running.runtime().transport().configName() + " -> " + next.runtime().transport().configName());
        }
        if (running.runtime().eventLoops() != next.runtime().eventLoops()) {
            pending.add("runtime.eventLoops: " + running.runtime().eventLoops() + " -> " + next.runtime().eventLoops());
        }
        if (running.admin().enabled() != next.admin().enabled() || !running.admin().address().equals(next.admin().address())) {
            pending.add("admin.address: " + adminAddress(running) + " -> " + adminAddress(next));
        }
        if (!running.telemetry().equals(next.telemetry())) {
            pending.add("telemetry: " + running.telemetry() + " -> " + next.telemetry());
        }
        if (!java.util.Objects.equals(running.qos(), next.qos())) {
            pending.add("qos: the bandwidth classes, their nodes and resources");
        }
        return pending;
    }

    private static String adminAddress(FulcrumConfig config) {
        return config.admin().enabled() ? config.admin().address().toString() : "off";
    }

    static ReloadResult.Changes between(FulcrumConfig running, FulcrumConfig next) {
        List<String> listenersAdded = new ArrayList<>();
        List<String> listenersRemoved = new ArrayList<>();
        List<String> listenersRebound = new ArrayList<>();
        List<String> listenersChanged = new ArrayList<>();
        for (ListenerConfig l : next.listeners().values()) {
            ListenerConfig before = running.listeners().get(l.name());
            if (before == null) {
                listenersAdded.add(l.name() + " (" + l.bind() + " -> pool " + l.pool() + ")");
            } else if (!before.bind().equals(l.bind())) {
                // (with whatever else changed: a flow keeps the settings it was accepted with)
                listenersRebound.add(l.name() + ": " + before.bind() + " -> " + l.bind());
            } else if (!before.equals(l)) {
                listenersChanged.add(l.name());
            }
        }
        for (String name : running.listeners().keySet()) {
            if (!next.listeners().containsKey(name)) {
                listenersRemoved.add(name);
            }
        }
        List<String> poolsAdded = new ArrayList<>();
        List<String> poolsRemoved = new ArrayList<>();
        List<String> policiesChanged = new ArrayList<>();
        List<String> healthChanged = new ArrayList<>();
        List<String> backendsAdded = new ArrayList<>();
        List<String> backendsRemoved = new ArrayList<>();
        List<String> reweighted = new ArrayList<>();
        List<String> backendsChanged = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (PoolConfig p : next.pools().values()) {
            PoolConfig before = running.pools().get(p.name());
            if (before == null) {
                poolsAdded.add(p.name());
                p.backends().forEach(b -> backendsAdded.add(p.name() + "/" + b.name() + " (" + b.address() + ")"));
                continue;
            }
            if (!before.policy().equals(p.policy())) {
                policiesChanged.add(p.name() + ": " + describe(before) + " -> " + describe(p));
            }
            if (!Objects.equals(before.health(), p.health())) {
                healthChecksChanged(healthChanged, p, before);
            }
            if (!before.removedBackendDrainTimeout().equals(p.removedBackendDrainTimeout())) {
                other.add("pools." + p.name() + ".removedBackendDrainTimeout: "
                        + ValueParsers.formatDuration(before.removedBackendDrainTimeout()) + " -> "
                        + ValueParsers.formatDuration(p.removedBackendDrainTimeout()));
            }
            operationsChanged(other, p, before);
            for (Backend b : p.backends()) {
                Backend old = find(before, b.name());
                String id = p.name() + "/" + b.name();
                if (old == null || !BackendSet.sameAddress(old, b)) {
                    backendsAdded.add(id + " (" + b.address() + ")");
                    continue;
                }
                if (old.weight() != b.weight()) {
                    reweighted.add(id + ": weight " + old.weight() + " -> " + b.weight());
                }
                if (old.maxConnections() != b.maxConnections()) {
                    backendsChanged.add(id + ": maxConnections " + old.maxConnections() + " -> " + b.maxConnections());
                }
            }
            for (Backend old : before.backends()) {
                Backend now = find(p, old.name());
                if (now == null || !BackendSet.sameAddress(old, now)) {
                    backendsRemoved.add(p.name() + "/" + old.name() + " (" + old.address() + ")");
                }
            }
        }
        for (PoolConfig before : running.pools().values()) {
            if (!next.pools().containsKey(before.name())) {
                poolsRemoved.add(before.name());
                before.backends().forEach(b -> backendsRemoved.add(before.name() + "/" + b.name() + " (" + b.address() + ")"));
            }
        }
        if (!running.runtime().drainTimeout().equals(next.runtime().drainTimeout())) {
            other.add("runtime.drainTimeout: " + ValueParsers.formatDuration(running.runtime().drainTimeout()) + " -> "
                    + ValueParsers.formatDuration(next.runtime().drainTimeout()));
        }
        if (running.runtime().watchConfig() != next.runtime().watchConfig()) {
            other.add("runtime.watchConfig: " + running.runtime().watchConfig() + " -> " + next.runtime().watchConfig());
        }
        if (!Objects.equals(running.admin().token(), next.admin().token())) {
            other.add("admin token: " + (next.admin().token() == null ? "removed" : running.admin().token() == null ? "set" : "replaced"));
        }
        return new ReloadResult.Changes(listenersAdded, listenersRemoved, listenersRebound, listenersChanged, poolsAdded,
                poolsRemoved, policiesChanged, healthChanged, backendsAdded, backendsRemoved, reweighted, backendsChanged, other);
    }

    private static void operationsChanged(List<String> out, PoolConfig p, PoolConfig before) {
        PoolOperations was = before.operations();
        PoolOperations now = p.operations();
        String prefix = "pools." + p.name() + ".";
        if (!Objects.equals(was.outlierDetection(), now.outlierDetection())) {
            out.add(prefix + "outlierDetection: " + describe(was.outlierDetection()) + " -> " + describe(now.outlierDetection()));
        }
        if (!Objects.equals(was.slowStart(), now.slowStart())) {
            out.add(prefix + "slowStart: " + describe(was.slowStart()) + " -> " + describe(now.slowStart()));
        }
        if (was.sendProxyProtocol() != now.sendProxyProtocol()) {
            out.add(prefix + "sendProxyProtocol: " + was.sendProxyProtocol().configName() + " -> "
                    + now.sendProxyProtocol().configName());
        }
    }

    private static String describe(PoolOperations.OutlierDetectionConfig d) {
        return d == null ? "off"
                : "{consecutiveFailures: " + d.consecutiveFailures() + ", baseEjectionTime: "
                        + ValueParsers.formatDuration(d.baseEjectionTime()) + ", maxEjectionTime: "
                        + ValueParsers.formatDuration(d.maxEjectionTime()) + ", maxEjectionPercent: " + d.maxEjectionPercent() + "}";
    }

    private static String describe(PoolOperations.SlowStartConfig s) {
        return s == null ? "off"
                : "{window: " + ValueParsers.formatDuration(s.window()) + ", aggression: " + s.aggression()
                        + ", minWeightPercent: " + s.minWeightPercent() + "}";
    }

    private static void healthChecksChanged(List<String> out, PoolConfig p, PoolConfig before) {
        String was = before.health() == null ? "none" : before.health().type().configName();
        String now = p.health() == null ? "none" : p.health().type().configName();
        out.add(p.name() + ": " + was + " -> " + now);
    }

    private static String describe(PoolConfig pool) {
        return pool.policy().parameters().isEmpty() ? pool.policy().type()
                : pool.policy().type() + new java.util.TreeMap<>(pool.policy().parameters());
    }

    private static Backend find(PoolConfig pool, String name) {
        for (Backend b : pool.backends()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }
}
