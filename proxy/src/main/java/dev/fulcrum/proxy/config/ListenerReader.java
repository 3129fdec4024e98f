package dev.fulcrum.proxy.config;

import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.config.ListenerConfig.WaterMarks;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads {@code listeners:}; see {@link ListenerConfig} for what each field means. */
final class ListenerReader {

    static final List<String> LISTENER_FIELDS = List.of("bind", "pool", "key", "maxConnections",
            "connectTimeout", "connectAttempts", "idleTimeout", "writeBuffer", "proxyProtocol", "proxyProtocolTimeout",
            "sniTimeout");
    static final List<String> WRITE_BUFFER_FIELDS = List.of("low", "high");

    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(168);
    static final int MAX_CONNECT_ATTEMPTS = 16;
    static final long MAX_WRITE_BUFFER = 64 * ValueParsers.MIB;
    static final Duration MAX_PROXY_PROTOCOL_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MAX_SNI_TIMEOUT = Duration.ofMinutes(5);

    private static final Map<String, FlowKey> FLOW_KEYS = new LinkedHashMap<>();
    private static final Map<String, ProxyProtocol> PROXY_PROTOCOLS = new LinkedHashMap<>();

    static {
        for (FlowKey k : FlowKey.values()) {
            FLOW_KEYS.put(k.configName(), k);
        }
        for (ProxyProtocol p : ProxyProtocol.values()) {
            PROXY_PROTOCOLS.put(p.configName(), p);
        }
    }

    private final Set<String> poolNames;
    // Who binds each host:port so far, to name the first owner when a second one asks for it.
    private final Map<String, String> boundBy = new HashMap<>();

    private ListenerReader(Set<String> poolNames) {
        this.poolNames = poolNames;
    }

    /**
     * The listeners that are valid, in file order (all problems reported).
     *
     * @param poolNames the keys under {@code pools}, valid or not, for the {@code pool} references
     * @param admin     its address is taken too, so a listener must not bind it; {@code null} when invalid
     */
    static Map<String, ListenerConfig> read(Cursor listeners, Set<String> poolNames, AdminConfig admin) {
        ListenerReader reader = new ListenerReader(poolNames);
        if (admin != null && admin.enabled() && admin.address().port() != 0) {
            reader.boundBy.put(bindKey(admin.address()), "the admin API");
        }
        Map<String, ListenerConfig> result = new LinkedHashMap<>();
        if (!listeners.requiredMap("a map of listeners by name, at least one")) {
            return result;
        }
        for (Map.Entry<String, Cursor> e : listeners.entries().entrySet()) {
            ListenerConfig listener = reader.listener(e.getKey(), e.getValue());
            if (listener != null) {
                result.put(e.getKey(), listener);
            }
        }
        return result;
    }

    private ListenerConfig listener(String name, Cursor listener) {
        int before = listener.problems().count();
        if (!ValueParsers.isName(name)) {
            listener.report(Cursor.quote(name) + " is not a valid listener name (expected: " + ValueParsers.NAME_RULE + ")");
        }
        if (!listener.isMap()) {
            return listener.expected("a map with bind and pool");
        }
        listener.rejectUnknownFields(LISTENER_FIELDS);
        HostPort bind = listener.field("bind").hostPort(0, "host:port to listen on");
        if (bind != null) {
            checkBindIsFree(listener.field("bind"), bind, "listener " + name);
        }
        String pool = poolReference(listener.field("pool"));
        FlowKey key = listener.field("key").choice(FlowKey.CLIENT_ADDRESS, FLOW_KEYS);
        int maxConnections = listener.field("maxConnections")
                .integer(ListenerConfig.DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE);
        Duration connectTimeout = listener.field("connectTimeout").duration(ListenerConfig.DEFAULT_CONNECT_TIMEOUT,
                Duration.ofMillis(1), MAX_CONNECT_TIMEOUT,
                "a duration above 0 and at most " + ValueParsers.formatDuration(MAX_CONNECT_TIMEOUT));
        int connectAttempts = listener.field("connectAttempts")
                .integer(ListenerConfig.DEFAULT_CONNECT_ATTEMPTS, 1, MAX_CONNECT_ATTEMPTS);
        Duration idleTimeout = listener.field("idleTimeout").duration(ListenerConfig.DEFAULT_IDLE_TIMEOUT,
                Duration.ZERO, MAX_IDLE_TIMEOUT,
                "a duration from 0 (never) to " + ValueParsers.formatDuration(MAX_IDLE_TIMEOUT));
        WaterMarks writeBuffer = writeBuffer(listener.field("writeBuffer"));
        ProxyProtocol proxyProtocol = proxyProtocol(listener.field("proxyProtocol"));
        Duration proxyProtocolTimeout = listener.field("proxyProtocolTimeout").duration(
                ListenerConfig.DEFAULT_PROXY_PROTOCOL_TIMEOUT, Duration.ofMillis(1), MAX_PROXY_PROTOCOL_TIMEOUT,
                "a duration above 0 and at most " + ValueParsers.formatDuration(MAX_PROXY_PROTOCOL_TIMEOUT));
        Duration sniTimeout = listener.field("sniTimeout").duration(ListenerConfig.DEFAULT_SNI_TIMEOUT,
                Duration.ofMillis(1), MAX_SNI_TIMEOUT,
                "a duration above 0 and at most " + ValueParsers.formatDuration(MAX_SNI_TIMEOUT));
        if (listener.problems().count() > before) {
            return null;
        }
        return new ListenerConfig(name, bind, pool, key, maxConnections, connectTimeout, connectAttempts,
                idleTimeout, writeBuffer, proxyProtocol, proxyProtocolTimeout, sniTimeout);
    }

    private static ProxyProtocol proxyProtocol(Cursor field) {
        // YAML 1.1 reads a bare `off` (and `no`, `false`) as the boolean false.
        if (!field.isAbsent() && field.node().isBoolean() && !field.node().booleanValue()) {
            return ProxyProtocol.OFF;
        }
        return field.choice(ProxyProtocol.OFF, PROXY_PROTOCOLS);
    }

    private String poolReference(Cursor pool) {
        if (!pool.isText()) {
            return pool.expected("the name of a pool under pools");
        }
        // With no pool at all, `pools` itself is reported; listing nothing here would add only noise.
        if (!poolNames.isEmpty() && !poolNames.contains(pool.text())) {
            pool.report(Cursor.quote(pool.text()) + " names no pool (expected one of: "
                    + String.join(", ", poolNames) + ")");
        }
        return pool.text();
    }

    private static WaterMarks writeBuffer(Cursor writeBuffer) {
        WaterMarks defaults = WaterMarks.DEFAULT;
        writeBuffer.optionalMap("a map with low and high");
        writeBuffer.rejectUnknownFields(WRITE_BUFFER_FIELDS);
        int before = writeBuffer.problems().count();
        int low = writeBuffer.field("low").size(defaults.low(), 1, MAX_WRITE_BUFFER);
        int high = writeBuffer.field("high").size(defaults.high(), 1, MAX_WRITE_BUFFER);
        if (writeBuffer.problems().count() == before && low > high) {
            writeBuffer.report("low " + ValueParsers.formatSize(low) + " is above high "
                    + ValueParsers.formatSize(high) + " (expected: low <= high)");
        }
        return new WaterMarks(low, high);
    }

    private void checkBindIsFree(Cursor at, HostPort bind, String owner) {
        // Port 0 takes any free port: two of them never clash.
        if (bind.port() == 0) {
            return;
        }
        String first = boundBy.putIfAbsent(bindKey(bind), owner);
        if (first != null) {
            at.report(Cursor.quote(bind.toString()) + " is already bound by " + first
                    + " (expected: an address nothing else binds)");
        }
    }

    private static String bindKey(HostPort address) {
        return address.host().toLowerCase(Locale.ROOT) + " " + address.port();
    }
}
