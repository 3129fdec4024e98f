package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hash.HashFunctions;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading and checking the parameters the hashing policies share. Values come from YAML, so a
 * number may arrive as an {@link Integer}, a {@link Long} or a {@link Double}; a problem names the
 * parameter, what was found and what was expected.
 */
public final class HashingParameters {

    /** {@code hash: murmur3}: the function that mixes flow keys and places backends. */
    public static final String HASH = "hash";

    private HashingParameters() {
    }

    /** The problem with {@code hash}, or {@code null}. */
    public static String hashProblem(PolicyConfig config) {
        Object value = config.parameters().get(HASH);
        if (value == null || (value instanceof String name && HashFunctions.byName(name) != null)) {
            return null;
        }
        return HASH + ": " + value + " (expected one of " + HashFunctions.names() + ")";
    }

    /** The configured hash function, {@link HashFunctions#DEFAULT} when absent. */
    public static HashFunction hash(PolicyConfig config) {
        Object value = config.parameters().get(HASH);
        if (value == null) {
            return HashFunctions.DEFAULT;
        }
        HashFunction function = value instanceof String name ? HashFunctions.byName(name) : null;
        if (function == null) {
            throw new IllegalArgumentException(hashProblem(config));
        }
        return function;
    }

    /**
     * The problem with an integer parameter, or {@code null} when it is absent or an integer in
     * {@code [min, max]}.
     */
    public static String intProblem(PolicyConfig config, String name, long min, long max) {
        Object value = config.parameters().get(name);
        if (value == null) {
            return null;
        }
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min
                && ((Number) value).longValue() <= max) {
            return null;
        }
        return name + ": " + value + " (expected: an integer from " + min + " to " + max + ")";
    }

    /** An integer parameter that {@link #intProblem} accepted, or {@code defaultValue} when absent. */
    public static int intValue(PolicyConfig config, String name, int defaultValue) {
        Object value = config.parameters().get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Integer || value instanceof Long) {
            long v = ((Number) value).longValue();
            if (v == (int) v) {
                return (int) v;
            }
        }
        throw new IllegalArgumentException(name + ": " + value + " (expected: an integer)");
    }

    /** Collects the non-null problems of a factory's checks, in order. */
    public static List<String> problems(List<String> unknown, String... checks) {
        List<String> problems = new ArrayList<>(unknown);
        for (String check : checks) {
            if (check != null) {
                problems.add(check);
            }
        }
        return problems;
    }
}
