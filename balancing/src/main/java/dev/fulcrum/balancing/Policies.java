package dev.fulcrum.balancing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The policy types on the class path, found with {@link ServiceLoader}. */
public final class Policies {

    private static final Map<String, PolicyFactory> FACTORIES = load();

    private Policies() {
    }

    private static Map<String, PolicyFactory> load() {
        Map<String, PolicyFactory> factories = new TreeMap<>();
        for (PolicyFactory factory : ServiceLoader.load(PolicyFactory.class, Policies.class.getClassLoader())) {
            PolicyFactory clash = factories.put(factory.type(), factory);
            if (clash != null) {
                throw new IllegalStateException("two policy factories for type " + factory.type() + ": "
                        + clash.getClass().getName() + " and " + factory.getClass().getName());
            }
        }
        return Collections.unmodifiableMap(factories);
    }

    /** The factory for {@code type}, or {@code null} when no such policy is on the class path. */
    public static PolicyFactory factory(String type) {
        return FACTORIES.get(type);
    }

    /** Every known type, sorted, for error messages and help. */
    public static List<String> types() {
        return new ArrayList<>(FACTORIES.keySet());
    }

    /** Builds a policy, failing with the factory's problems when the configuration is wrong. */
    public static BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        PolicyFactory factory = factory(config.type());
        if (factory == null) {
            throw new IllegalArgumentException("policy type: " + config.type() + " (expected one of " + types() + ")");
        }
        List<String> problems = factory.validate(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("policy " + config.type() + ": " + String.join("; ", problems));
        }
        return factory.create(backends, config, previous);
    }

    /** Problems for parameters a policy does not know; shared by factories with few parameters. */
    public static List<String> unknownParameters(PolicyConfig config, List<String> known) {
        List<String> problems = new ArrayList<>();
        for (String name : new TreeMap<>(config.parameters()).keySet()) {
            if (!known.contains(name)) {
                problems.add(name + ": unknown parameter for policy " + config.type()
                        + (known.isEmpty() ? " (it takes none)" : " (expected one of " + known + ")"));
            }
        }
        return problems;
    }
}
