package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fulcrum.balancing.Backend;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a configuration in its normalised form: every field present with its value (defaults
 * included), in the order the format documents them, durations and sizes in their shortest exact
 * unit, every backend as a full map. Reading the output with {@link ConfigLoader} gives an equal
 * configuration (but for {@link FulcrumConfig#source()}), which is what {@code fulcrum check-config} relies on.
 *
 * <p>The YAML is written by hand rather than by Jackson's generator, whose minimal quoting leaves
 * strings such as {@code 1_000} or {@code 0x10} bare, and those read back as numbers.
 */
public final class ConfigWriter {

    private static final YAMLMapper READER = new YAMLMapper();
    private static final String INDENT = "  ";

    private final StringBuilder out = new StringBuilder();

    private ConfigWriter() {
    }

    public static String toYaml(FulcrumConfig config) {
        ConfigWriter w = new ConfigWriter();
        RuntimeConfig runtime = config.runtime();
        w.line(0, "runtime:");
        w.field(1, "transport", runtime.transport().configName());
        w.field(1, "eventLoops", Integer.toString(runtime.eventLoops()));
        w.field(1, "drainTimeout", ValueParsers.formatDuration(runtime.drainTimeout()));
        w.field(1, "watchConfig", Boolean.toString(runtime.watchConfig()));
        w.line(0, "admin:");
        w.field(1, "address", config.admin().enabled() ? scalar(config.admin().address().toString()) : "off");
        // The token itself is never written: only where it comes from.
        if (config.admin().tokenFile() != null) {
            w.field(1, "tokenFile", scalar(config.admin().tokenFile().toString()));
        }
        w.line(0, "telemetry:");
        w.telemetry(config.telemetry());
        w.line(0, "listeners:");
        config.listeners().values().forEach(l -> w.listener(l));
        w.line(0, "pools:");
        config.pools().values().forEach(p -> w.pool(p));
        if (config.qos().enabled()) {
            w.line(0, "qos:");
            w.qos(config.qos());
        }
        return w.out.toString();
    }

    // Classes list their listeners (a pool named in the file stands for its listeners, resolved on reading).
    private void qos(QosConfig q) {
        field(1, "fetchTimeout", ValueParsers.formatDuration(q.fetchTimeout()));
        field(1, "predictor", q.predictor());
        line(1, "nodes:");
        for (QosConfig.Node n : q.nodes().values()) {
            line(2, key(n.name()) + ":");
            field(3, "watermark", scalar(n.watermark().toString()));
            field(3, "format", n.format());
            field(3, "field", scalar(n.field()));
            field(3, "lower", Double.toString(n.lower()));
            field(3, "upper", Double.toString(n.upper()));
            field(3, "idealWatermark", Double.toString(n.idealWatermark()));
            field(3, "stiffness", Double.toString(n.stiffness()));
        }
        line(1, "classes:");
        for (QosConfig.BandwidthClass c : q.classes().values()) {
            line(2, key(c.name()) + ":");
            field(3, "listeners", flow(c.listeners()));
            field(3, "client", Boolean.toString(c.client()));
            line(3, "edges:");
            for (QosConfig.Edge e : c.edges()) {
                line(4, "- from: " + scalar(e.from()));
                field(5, "to", scalar(e.to()));
                field(5, "weight", Double.toString(e.weight()));
            }
            field(3, "maxRate", ValueParsers.formatSize(c.maxRate()));
        }
        line(1, "resources:");
        for (QosConfig.Resource r : q.resources().values()) {
            line(2, key(r.name()) + ":");
            field(3, "limit", ValueParsers.formatSize(r.limit()));
            if (r.use().isEmpty()) {
                field(3, "use", "{}");
            } else {
                line(3, "use:");
                r.use().forEach((cls, units) -> field(4, key(cls), Double.toString(units)));
            }
        }
    }

    private void telemetry(TelemetryConfig t) {
        field(1, "tick", ValueParsers.formatDuration(t.tick()));
        field(1, "enabled", Boolean.toString(t.enabled()));
        field(1, "reservoirSize", Integer.toString(t.reservoirSize()));
        field(1, "emaDecay", Double.toString(t.emaDecay()));
        line(1, "stream:");
        field(2, "maxPendingBytes", ValueParsers.formatSize(t.stream().maxPendingBytes()));
        field(2, "maxUnwritableTicks", Integer.toString(t.stream().maxUnwritableTicks()));
        if (t.dataset() != null) {
            TelemetryConfig.DatasetConfig d = t.dataset();
            line(1, "dataset:");
            field(2, "path", scalar(d.path().toString()));
            field(2, "format", "csv");
            if (!d.groundTruth().isEmpty()) {
                line(2, "groundTruth:");
                new TreeMap<>(d.groundTruth()).forEach((backend, url) -> field(3, key(backend), scalar(url)));
            }
            if (d.field() != null) {
                field(2, "groundTruthField", scalar(d.field()));
            }
            field(2, "groundTruthTimeout", ValueParsers.formatDuration(d.timeout()));
            if (d.transitions() != null) {
                field(2, "transitions", scalar(d.transitions().toString()));
            }
        }
    }

    private void listener(ListenerConfig l) {
        line(1, key(l.name()) + ":");
        field(2, "bind", scalar(l.bind().toString()));
        field(2, "pool", scalar(l.pool()));
        field(2, "key", l.key().configName());
        field(2, "maxConnections", Integer.toString(l.maxConnections()));
        field(2, "connectTimeout", ValueParsers.formatDuration(l.connectTimeout()));
        field(2, "connectAttempts", Integer.toString(l.connectAttempts()));
        field(2, "idleTimeout", ValueParsers.formatDuration(l.idleTimeout()));
        line(2, "writeBuffer:");
        field(3, "low", ValueParsers.formatSize(l.writeBuffer().low()));
        field(3, "high", ValueParsers.formatSize(l.writeBuffer().high()));
        field(2, "proxyProtocol", l.proxyProtocol().configName());
        field(2, "proxyProtocolTimeout", ValueParsers.formatDuration(l.proxyProtocolTimeout()));
        field(2, "sniTimeout", ValueParsers.formatDuration(l.sniTimeout()));
    }

    // maxConnectionsPerBackend is not written: it is only a default, and every backend has its own value.
    private void pool(PoolConfig p) {
        line(1, key(p.name()) + ":");
        line(2, "policy:");
        field(3, "type", scalar(p.policy().type()));
        // Sorted: the parameters' map keeps no order, and a stable output diffs well.
        new TreeMap<>(p.policy().parameters()).forEach((k, v) -> field(3, key(k), topLevel(v)));
        line(2, "backends:");
        for (Backend b : p.backends()) {
            line(3, "- name: " + scalar(b.name()));
            field(4, "address", scalar(b.address()));
            field(4, "weight", Integer.toString(b.weight()));
            field(4, "maxConnections", Integer.toString(b.maxConnections()));
        }
        if (p.health() != null) {
            health(p.health());
        }
        operations(p.operations());
        field(2, "removedBackendDrainTimeout", ValueParsers.formatDuration(p.removedBackendDrainTimeout()));
    }

    // Absent means off, so a pool without them writes nothing.
    private void operations(PoolOperations o) {
        if (o.outlierDetection() != null) {
            PoolOperations.OutlierDetectionConfig d = o.outlierDetection();
            line(2, "outlierDetection:");
            field(3, "consecutiveFailures", Integer.toString(d.consecutiveFailures()));
            field(3, "baseEjectionTime", ValueParsers.formatDuration(d.baseEjectionTime()));
            field(3, "maxEjectionTime", ValueParsers.formatDuration(d.maxEjectionTime()));
            field(3, "maxEjectionPercent", Integer.toString(d.maxEjectionPercent()));
        }
        if (o.slowStart() != null) {
            line(2, "slowStart:");
            field(3, "window", ValueParsers.formatDuration(o.slowStart().window()));
            field(3, "aggression", Double.toString(o.slowStart().aggression()));
            field(3, "minWeightPercent", Integer.toString(o.slowStart().minWeightPercent()));
        }
        if (o.sendProxyProtocol() != PoolOperations.SendProxyProtocol.OFF) {
            field(2, "sendProxyProtocol", o.sendProxyProtocol().configName());
        }
    }

    // Absent means no checks, so a pool without them writes no health section.
    private void health(HealthCheckConfig h) {
        line(2, "health:");
        field(3, "type", h.type().configName());
        if (h.type() == HealthCheckConfig.Type.HTTP) {
            field(3, "path", scalar(h.path()));
            // Statuses as numbers, classes quoted: [200, "3xx"]; one entry without the brackets.
            List<Object> statuses = h.expectStatus().stream()
                    .map(s -> s.endsWith("xx") ? (Object) s : (Object) Integer.valueOf(s)).toList();
            field(3, "expectStatus", statuses.size() == 1 ? topLevel(statuses.get(0)) : flow(statuses));
        }
        field(3, "interval", ValueParsers.formatDuration(h.interval()));
        field(3, "timeout", ValueParsers.formatDuration(h.timeout()));
        field(3, "rise", Integer.toString(h.rise()));
        field(3, "fall", Integer.toString(h.fall()));
    }

    private void line(int depth, String text) {
        out.append(INDENT.repeat(depth)).append(text).append('\n');
    }

    private void field(int depth, String key, String value) {
        line(depth, key + ": " + value);
    }

    /** A parameter's value: a plain scalar when it reads back as itself, else flow style. */
    private static String topLevel(Object value) {
        return value instanceof String s ? scalar(s) : flow(value);
    }

    /** Flow style, with every string quoted: what is plain in block style may not be inside [ ] or { }. */
    private static String flow(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return quoted(s);
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder b = new StringBuilder("{");
            map.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(quoted(String.valueOf(k)))
                    .append(": ").append(flow(v)));
            return b.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[");
            list.forEach(v -> b.append(b.length() > 1 ? ", " : "").append(flow(v)));
            return b.append(']').toString();
        }
        // Numbers and booleans: their Java text is also their YAML text.
        return String.valueOf(value);
    }

    /** {@code text} bare when YAML reads it back as that same string, else double-quoted. */
    static String scalar(String text) {
        return readsBack("k: " + text, "k", text) ? text : quoted(text);
    }

    /**
     * A key bare when it reads back as itself both as a key and as a value: Jackson reads every key
     * as a string, but other YAML tools read {@code on:} or {@code 0x10:} as a boolean or a number.
     */
    private static String key(String name) {
        return readsBack(name + ": 0", name, null) && readsBack("k: " + name, "k", name) ? name : quoted(name);
    }

    /** Whether {@code yaml} is a one-entry map with key {@code key} and, unless null, the string value {@code value}. */
    private static boolean readsBack(String yaml, String key, String value) {
        if (key.isEmpty() || !key.strip().equals(key) || key.contains("\n")
                || (value != null && (value.isEmpty() || !value.strip().equals(value) || value.contains("\n")))) {
            return false;
        }
        try {
            JsonNode tree = READER.readTree(yaml);
            if (tree == null || !tree.isObject() || tree.size() != 1 || !tree.has(key)) {
                return false;
            }
            JsonNode read = tree.get(key);
            return value == null || (read.isTextual() && read.textValue().equals(value));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    // A JSON string literal is also a YAML double-quoted scalar with the same escapes.
    private static String quoted(String text) {
        return new TextNode(text).toString();
    }
}
