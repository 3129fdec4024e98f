package dev.fulcrum.balancing;

import java.util.Map;
import java.util.Objects;

/**
 * A policy as configured: its type (the name a {@link PolicyFactory} answers to) and its
 * parameters as read from the configuration file (numbers, strings, booleans, lists, maps).
 */
public record PolicyConfig(String type, Map<String, Object> parameters) {

    public PolicyConfig {
        Objects.requireNonNull(type, "type");
        parameters = Map.copyOf(parameters);
    }

    public static PolicyConfig of(String type) {
        return new PolicyConfig(type, Map.of());
    }
}
