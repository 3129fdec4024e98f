package dev.fulcrum.proxy.config;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.balancing.roundrobin.RoundRobinPolicyFactory;
import dev.fulcrum.learned.qnet.QNetworkPolicyFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code pools:}: each pool's policy, backends and health checks ({@link HealthCheckReader}). */
final class PoolReader {

    static final List<String> POOL_FIELDS = List.of("policy", "maxConnectionsPerBackend", "backends", "health",
            "outlierDetection", "slowStart", "sendProxyProtocol", "removedBackendDrainTimeout");
    static final List<String> BACKEND_FIELDS = List.of("address", "name", "weight", "maxConnections");
    static final String DEFAULT_POLICY = RoundRobinPolicyFactory.TYPE;
    static final int MAX_WEIGHT = 10_000;
    static final Duration MAX_REMOVED_BACKEND_DRAIN_TIMEOUT = Duration.ofHours(24);

    private PoolReader() {
    }

    /** The pools that are valid, in file order (all problems reported). */
    static Map<String, PoolConfig> read(Cursor pools) {
        Map<String, PoolConfig> result = new LinkedHashMap<>();
        if (!pools.requiredMap("a map of pools by name, at least one")) {
            return result;
        }
        for (Map.Entry<String, Cursor> e : pools.entries().entrySet()) {
            PoolConfig pool = pool(e.getKey(), e.getValue());
            if (pool != null) {
                result.put(e.getKey(), pool);
            }
        }
        return result;
    }

    private static PoolConfig pool(String name, Cursor pool) {
        int before = pool.problems().count();
        if (!ValueParsers.isName(name)) {
            pool.report(Cursor.quote(name) + " is not a valid pool name (expected: " + ValueParsers.NAME_RULE + ")");
        }
        if (!pool.isMap()) {
            return pool.expected("a map with backends");
        }
        pool.rejectUnknownFields(POOL_FIELDS);
        PolicyConfig policy = policy(pool.field("policy"));
        int perBackend = pool.field("maxConnectionsPerBackend").integer(0, 0, Integer.MAX_VALUE);
        List<Backend> backends = backends(pool.field("backends"), perBackend);
        HealthCheckConfig health = HealthCheckReader.read(pool.field("health"));
        PoolOperations operations = PoolOperationsReader.read(pool);
        Duration removedDrain = pool.field("removedBackendDrainTimeout").duration(
                PoolConfig.DEFAULT_REMOVED_BACKEND_DRAIN_TIMEOUT, Duration.ZERO, MAX_REMOVED_BACKEND_DRAIN_TIMEOUT,
                "a duration from 0 (close at once) to " + ValueParsers.formatDuration(MAX_REMOVED_BACKEND_DRAIN_TIMEOUT));
        if (policy != null) {
            List<String> names = backends.stream().map(Backend::name).toList();
            QNetworkPolicyFactory.backendProblems(policy, name, names).forEach(problem -> PolicyParameters.report(pool.field("policy"), problem));
        }
        if (pool.problems().count() > before) {
            return null;
        }
        return new PoolConfig(name, policy, backends, health, operations, removedDrain);
    }

    private static List<Backend> backends(Cursor backends, int defaultMaxConnections) {
        List<Backend> result = new ArrayList<>();
        if (!backends.requiredList("a list of backends, at least one")) {
            return result;
        }
        // Name -> index of the first backend with it, to point at it when a name comes again.
        Map<String, Integer> firstWithName = new HashMap<>();
        List<Cursor> elements = backends.elements();
        for (int i = 0; i < elements.size(); i++) {
            Backend backend = backend(elements.get(i), defaultMaxConnections, firstWithName, i);
            if (backend != null) {
                result.add(backend);
            }
        }
        return result;
    }

    private static Backend backend(Cursor backend, int defaultMaxConnections, Map<String, Integer> firstWithName,
            int index) {
        int before = backend.problems().count();
        if (!backend.isText() && !backend.isMap()) {
            return backend.expected("host:port, or a map with " + String.join(", ", BACKEND_FIELDS));
        }
        backend.rejectUnknownFields(BACKEND_FIELDS);
        // A plain string is the address itself; fields of a string cursor read as absent.
        Cursor address = backend.isText() ? backend : backend.field("address");
        Cursor name = backend.field("name");
        HostPort hostPort = address.hostPort(1, ValueParsers.HOST_PORT_RULE);
        String backendName = null;
        if (!name.isAbsent()) {
            if (!name.isText()) {
                name.expected(ValueParsers.NAME_RULE);
            } else if (!ValueParsers.isName(name.text())) {
                name.report(Cursor.quote(name.text()) + " is not a valid backend name (expected: "
                        + ValueParsers.NAME_RULE + ")");
            } else {
                backendName = name.text();
            }
        } else if (hostPort != null) {
            backendName = hostPort.toString();
        }
        if (backendName != null) {
            Integer first = firstWithName.putIfAbsent(backendName, index);
            if (first != null) {
                boolean derived = name.isAbsent();
                Cursor at = derived ? backend : name;
                at.report((derived ? "name " + Cursor.quote(backendName) + " (its address)" : Cursor.quote(backendName))
                        + " is already used by backends[" + first + "] (expected: a name unique in the pool)");
            }
        }
        int weight = backend.field("weight").integer(1, 1, MAX_WEIGHT);
        int maxConnections = backend.field("maxConnections").integer(defaultMaxConnections, 0, Integer.MAX_VALUE);
        if (backend.problems().count() > before) {
            return null;
        }
        return new Backend(backendName, hostPort.host(), hostPort.port(), weight, maxConnections);
    }

    /** {@code policy: round-robin} or {@code policy: {type: round-robin, <parameters>}}; absent is round-robin. */
    private static PolicyConfig policy(Cursor policy) {
        if (policy.isAbsent()) {
            return PolicyConfig.of(DEFAULT_POLICY);
        }
        if (policy.isText()) {
            return checked(policy, policy, PolicyConfig.of(policy.text()));
        }
        if (!policy.isMap()) {
            return policy.expected("a policy type, or a map with type and the policy's parameters");
        }
        int before = policy.problems().count();
        Cursor type = policy.field("type");
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, Cursor> e : policy.entries().entrySet()) {
            if (!e.getKey().equals("type")) {
                parameters.put(e.getKey(), PolicyParameters.toJava(e.getValue()));
            }
        }
        if (!type.isText()) {
            return type.expectedOneOf(Policies.types());
        }
        if (policy.problems().count() > before) {
            return null;
        }
        return checked(policy, type, new PolicyConfig(type.text(), parameters));
    }

    /** The policy when its type exists and its factory accepts the parameters; {@code null} otherwise. */
    private static PolicyConfig checked(Cursor policy, Cursor type, PolicyConfig config) {
        PolicyFactory factory = Policies.factory(config.type());
        if (factory == null) {
            return type.expectedOneOf(Policies.types());
        }
        List<String> problems;
        try {
            problems = factory.validate(config);
        } catch (RuntimeException e) {
            // A factory bug must not hide the rest of the file's problems.
            policy.report("policy " + config.type() + " failed to check its parameters: " + e);
            return null;
        }
        for (String problem : problems) {
            PolicyParameters.report(policy, problem);
        }
        return problems.isEmpty() ? config : null;
    }
}
