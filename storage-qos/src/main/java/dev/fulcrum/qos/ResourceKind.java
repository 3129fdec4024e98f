package dev.fulcrum.qos;

/**
 * A kind of system resource the tasks consume (CPU, a device's bandwidth, a link), with the upper
 * limit of Eq. 8.
 */
public record ResourceKind(String name, double limit) {

    public ResourceKind {
        Checks.name(name, "resource");
        Checks.check(limit > 0 && Double.isFinite(limit), "resource %s: limit: %s (expected: > 0)", name, limit);
    }
}
