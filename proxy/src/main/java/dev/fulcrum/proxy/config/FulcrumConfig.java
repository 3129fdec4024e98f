package dev.fulcrum.proxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A whole, validated configuration: what {@link ConfigLoader} returns when a file has no problem.
 * Every record below is immutable; maps keep the file's order.
 *
 * @param source    the file it was read from, or {@code null} when built in code
 * @param runtime   event loops, transport and shutdown
 * @param admin     the admin HTTP API
 * @param listeners by name
 * @param pools     by name
 * @param telemetry control-loop tick and sampling
 * @param qos       bandwidth classes and their pressure controller ({@link QosConfig#NONE} when absent)
 */
public record FulcrumConfig(
        Path source,
        RuntimeConfig runtime,
        AdminConfig admin,
        Map<String, ListenerConfig> listeners,
        Map<String, PoolConfig> pools,
        TelemetryConfig telemetry,
        QosConfig qos) {

    public FulcrumConfig {
        listeners = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(listeners));
        pools = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pools));
        qos = qos == null ? QosConfig.NONE : qos;
    }

    /** A configuration without bandwidth classes. */
    public FulcrumConfig(Path source, RuntimeConfig runtime, AdminConfig admin, Map<String, ListenerConfig> listeners,
            Map<String, PoolConfig> pools, TelemetryConfig telemetry) {
        this(source, runtime, admin, listeners, pools, telemetry, QosConfig.NONE);
    }

    /** The listener names bound to {@code pool}, for status pages. */
    public List<String> listenersOf(String pool) {
        return listeners.values().stream().filter(l -> l.pool().equals(pool)).map(ListenerConfig::name).toList();
    }
}
