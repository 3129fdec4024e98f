package dev.fulcrum.balancing.boundedload;

import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashRing;
import dev.fulcrum.balancing.hashing.HashingPolicy;

/**
 * The {@code boundedLoad} parameter a hashing policy may take:
 * {@code policy: {type: maglev, boundedLoad: 1.25}} bounds every backend's active flows by
 * {@code ceil(1.25 * average)} (see {@link BoundedLoadPolicy}); absent, there is no bound.
 *
 * <pre>{@code
 * // in a hashing policy's factory
 * List<String> problems = ...; problems.add(BoundedLoadParameter.problem(config)); // when not null
 * return BoundedLoadParameter.policy(table, hash, config);
 * }</pre>
 */
public final class BoundedLoadParameter {

    public static final String NAME = "boundedLoad";

    /**
     * The largest factor accepted. Larger ones bound nothing in practice, and a value such as 125
     * is most likely Envoy's {@code hash_balance_factor}, which is a percentage.
     */
    public static final double MAX = 10.0;

    private BoundedLoadParameter() {
    }

    /** The problem with {@code boundedLoad}, or {@code null} when it is absent or a number in (1, 10]. */
    public static String problem(PolicyConfig config) {
        Object value = config.parameters().get(NAME);
        if (value == null) {
            return null;
        }
        if (value instanceof Number number && !(value instanceof Float) && !(value instanceof Byte)) {
            double c = number.doubleValue();
            if (c > 1 && c <= MAX) {
                return null;
            }
            if (c > 100 && c <= 100 * MAX) {
                return NAME + ": " + value + " (expected: a factor > 1 and <= " + (int) MAX
                        + ", e.g. 1.25; Envoy's hash_balance_factor " + value + " is a percentage, "
                        + c / 100 + " here)";
            }
        }
        return NAME + ": " + value + " (expected: a factor > 1 and <= " + (int) MAX + ", e.g. 1.25)";
    }

    /** Whether the configuration asks for a bound. */
    public static boolean isSet(PolicyConfig config) {
        return config.parameters().containsKey(NAME);
    }

    /** The configured factor {@code c}; only call when {@link #isSet} and {@link #problem} is {@code null}. */
    public static double factor(PolicyConfig config) {
        String problem = problem(config);
        if (problem != null || !isSet(config)) {
            throw new IllegalArgumentException(problem != null ? problem : NAME + ": absent");
        }
        return ((Number) config.parameters().get(NAME)).doubleValue();
    }

    /** The policy over {@code ring}: bounded when the configuration says so, plain otherwise. */
    public static BalancingPolicy policy(HashRing ring, HashFunction hash, PolicyConfig config) {
        return isSet(config) ? bounded(ring, hash, factor(config)) : new HashingPolicy(ring, hash);
    }

    /** A bounded-load policy over any table, for callers that do not go through a configuration. */
    public static BalancingPolicy bounded(HashRing ring, HashFunction hash, double factor) {
        return new BoundedLoadPolicy(ring, hash, factor);
    }
}
