package dev.fulcrum.proxy.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code qos:}; see {@link QosConfig}. Every problem is reported with its path. */
final class QosReader {

    static final List<String> QOS_FIELDS = List.of("nodes", "classes", "resources", "fetchTimeout", "predictor");
    static final List<String> NODE_FIELDS = List.of("watermark", "format", "field", "lower", "upper", "idealWatermark", "stiffness");
    static final List<String> CLASS_FIELDS = List.of("listeners", "pools", "edges", "client", "maxRate");
    static final List<String> EDGE_FIELDS = List.of("from", "to", "weight");
    static final List<String> RESOURCE_FIELDS = List.of("limit", "use");
    static final long MAX_RATE = 1L << 40;

    private QosReader() {
    }

    /**
     * @param listenerPools every listener's pool, for class membership by pool
     */
    static QosConfig read(Cursor qos, Map<String, String> listenerPools) {
        if (qos.isAbsent()) {
            return QosConfig.NONE;
        }
        if (!qos.requiredMap("a map with nodes, classes and resources")) {
            return QosConfig.NONE;
        }
        qos.rejectUnknownFields(QOS_FIELDS);
        Map<String, QosConfig.Node> nodes = new LinkedHashMap<>();
        Cursor nodesCursor = qos.field("nodes");
        if (nodesCursor.requiredMap("a map of storage nodes by name, at least one")) {
            nodesCursor.entries().forEach((name, c) -> {
                QosConfig.Node node = node(name, c);
                if (node != null) {
                    nodes.put(name, node);
                }
            });
        }
        Map<String, QosConfig.BandwidthClass> classes = new LinkedHashMap<>();
        Cursor classesCursor = qos.field("classes");
        if (classesCursor.requiredMap("a map of bandwidth classes by name, at least one")) {
            Map<String, String> owner = new LinkedHashMap<>();
            classesCursor.entries().forEach((name, c) -> {
                QosConfig.BandwidthClass cls = bandwidthClass(name, c, listenerPools, owner);
                if (cls != null) {
                    classes.put(name, cls);
                }
            });
        }
        Map<String, QosConfig.Resource> resources = new LinkedHashMap<>();
        Cursor resourcesCursor = qos.field("resources");
        if (resourcesCursor.requiredMap("a map of resources by name, at least one")) {
            resourcesCursor.entries().forEach((name, c) -> {
                QosConfig.Resource r = resource(name, c, classesCursor.entries().keySet());
                if (r != null) {
                    resources.put(name, r);
                }
            });
        }
        Duration timeout = qos.field("fetchTimeout").duration(QosConfig.NONE.fetchTimeout(), Duration.ofMillis(10),
                Duration.ofSeconds(30), "a duration from 10ms to 30s");
        Cursor predictorCursor = qos.field("predictor");
        String predictor = predictorCursor.choice("ema", Map.of("ema", "ema", "mean", "mean", "min", "min"));
        return new QosConfig(nodes, classes, resources, timeout, predictor);
    }

    private static QosConfig.Node node(String name, Cursor c) {
        if (!c.isMap()) {
            return c.expected("a map with watermark (an http:// URL)");
        }
        c.rejectUnknownFields(NODE_FIELDS);
        Cursor url = c.field("watermark");
        URI uri = null;
        if (!url.isText() || !(url.text().startsWith("http://") || url.text().startsWith("https://"))) {
            url.expected("an http:// URL answering the node's watermark");
        } else {
            try {
                uri = URI.create(url.text());
            } catch (IllegalArgumentException e) {
                url.expected("a valid URL (" + e.getMessage() + ")");
            }
        }
        String format = c.field("format").choice("json", Map.of("json", "json", "prometheus", "prometheus"));
        Cursor fieldCursor = c.field("field");
        String field = fieldCursor.isAbsent() ? "watermark" : fieldCursor.isText() ? fieldCursor.text() : fieldCursor.expected("a name");
        double lower = number(c.field("lower"), 0, 0, 1, "a number from 0 to 1");
        double upper = number(c.field("upper"), 0.98, 0, 1, "a number from 0 to 1");
        if (lower >= upper) {
            c.field("upper").expected("more than lower (" + lower + ")");
        }
        double ideal = number(c.field("idealWatermark"), 0.5, 0.001, 0.999, "a number between 0 and 1");
        double stiffness = number(c.field("stiffness"), 5, 0.001, 1000, "a number from 0.001 to 1000");
        return uri == null || field == null ? null : new QosConfig.Node(name, uri, format, field, lower, upper, ideal, stiffness);
    }

    private static QosConfig.BandwidthClass bandwidthClass(String name, Cursor c, Map<String, String> listenerPools,
            Map<String, String> owner) {
        if (!c.isMap()) {
            return c.expected("a map with listeners or pools, and edges");
        }
        c.rejectUnknownFields(CLASS_FIELDS);
        Set<String> members = new LinkedHashSet<>();
        for (Cursor l : c.field("listeners").elements()) {
            if (!l.isText() || !listenerPools.containsKey(l.text())) {
                l.expectedOneOf(listenerPools.keySet());
            } else {
                members.add(l.text());
            }
        }
        Set<String> pools = new LinkedHashSet<>(listenerPools.values());
        for (Cursor p : c.field("pools").elements()) {
            if (!p.isText() || !pools.contains(p.text())) {
                p.expectedOneOf(pools);
            } else {
                listenerPools.forEach((listener, pool) -> {
                    if (pool.equals(p.text())) {
                        members.add(listener);
                    }
                });
            }
        }
        for (String listener : members) {
            String previous = owner.putIfAbsent(listener, name);
            if (previous != null && !previous.equals(name)) {
                c.report("listener " + listener + " is already in class " + previous + " (expected: one class per listener)");
            }
        }
        List<QosConfig.Edge> edges = new ArrayList<>();
        Cursor edgesCursor = c.field("edges");
        if (edgesCursor.requiredList("a list of {from, to, weight} edges, at least one")) {
            for (Cursor e : edgesCursor.elements()) {
                if (!e.isMap()) {
                    e.expected("{from: <node or port>, to: <node or port>, weight: 1}");
                    continue;
                }
                e.rejectUnknownFields(EDGE_FIELDS);
                Cursor from = e.field("from");
                Cursor to = e.field("to");
                double weight = number(e.field("weight"), 1, 1e-6, 1e6, "a positive number");
                if (!from.isText() || !to.isText()) {
                    e.expected("from and to naming a node or port");
                    continue;
                }
                edges.add(new QosConfig.Edge(from.text(), to.text(), weight));
            }
        }
        Cursor clientCursor = c.field("client");
        boolean client = !clientCursor.isAbsent() && clientCursor.node().isBoolean() ? clientCursor.node().booleanValue() : false;
        if (!clientCursor.isAbsent() && !clientCursor.node().isBoolean()) {
            clientCursor.expected("true or false");
        }
        long maxRate = rate(c.field("maxRate"), MAX_RATE);
        return new QosConfig.BandwidthClass(name, List.copyOf(members), edges, client, maxRate);
    }

    private static QosConfig.Resource resource(String name, Cursor c, Set<String> classNames) {
        if (!c.isMap()) {
            return c.expected("a map with limit and use");
        }
        c.rejectUnknownFields(RESOURCE_FIELDS);
        Cursor limitCursor = c.field("limit");
        long limit = rate(limitCursor, -1);
        if (limitCursor.isAbsent()) {
            limitCursor.expected("a rate in bytes per second, e.g. 100MiB");
        }
        Map<String, Double> use = new LinkedHashMap<>();
        Cursor useCursor = c.field("use");
        if (useCursor.requiredMap("a map of class name to units per byte")) {
            useCursor.entries().forEach((cls, v) -> {
                if (!classNames.contains(cls)) {
                    v.report(Cursor.quote(cls) + " names no class (expected one of: " + String.join(", ", classNames) + ")");
                } else {
                    use.put(cls, number(v, 1, 0, 1e9, "a number >= 0"));
                }
            });
        }
        return limit < 0 ? null : new QosConfig.Resource(name, limit, use);
    }

    private static double number(Cursor c, double defaultValue, double min, double max, String expectation) {
        if (c.isAbsent()) {
            return defaultValue;
        }
        if (!c.node().isNumber() || c.node().doubleValue() < min || c.node().doubleValue() > max) {
            c.expected(expectation);
            return defaultValue;
        }
        return c.node().doubleValue();
    }

    /** Bytes per second: an integer or a size with a unit (per second implied). */
    private static long rate(Cursor c, long defaultValue) {
        if (c.isAbsent()) {
            return defaultValue;
        }
        try {
            long value = c.node().isIntegralNumber() ? c.node().longValue() : c.isText() ? ValueParsers.parseSize(c.text()) : -1;
            if (value > 0 && value <= MAX_RATE) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        c.expected("a rate in bytes per second (" + ValueParsers.SIZE_RULE + "), from 1 to 1TiB");
        return defaultValue;
    }
}
