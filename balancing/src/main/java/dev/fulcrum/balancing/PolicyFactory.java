package dev.fulcrum.balancing;

import java.util.List;

/**
 * Makes policies of one type; found with {@link java.util.ServiceLoader} (list implementations in
 * {@code META-INF/services/dev.fulcrum.balancing.PolicyFactory}) and named in the configuration as
 * {@code policy: {type: <type()>, ...}}.
 */
public interface PolicyFactory {

    /** The name used in the configuration, in kebab case: {@code round-robin}. */
    String type();

    /**
     * Checks the parameters before anything starts. Each problem names the parameter, what was
     * found and what was expected, e.g. {@code "tableSize: 12 (expected: a prime >= 7)"}.
     * An empty list means {@link #create} will succeed with them.
     */
    List<String> validate(PolicyConfig config);

    /**
     * Builds a policy over {@code backends}. Called off the data plane.
     *
     * @param previous the policy this one replaces, or {@code null}; a factory may carry state over
     */
    BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous);
}
