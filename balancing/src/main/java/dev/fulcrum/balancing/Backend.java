package dev.fulcrum.balancing;

import java.util.Objects;

/**
 * A backend's identity and configuration: immutable, so a policy snapshot built from it never
 * changes under an event loop. Its live numbers (active flows, health) live in {@link BackendState}.
 *
 * @param name           unique within its pool
 * @param host           host name or literal address as configured
 * @param port           TCP port
 * @param weight         relative share of new flows, {@code >= 1}
 * @param maxConnections open flows allowed at once, {@code 0} for no limit
 */
public record Backend(String name, String host, int port, int weight, int maxConnections) {

    public Backend {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 0)");
        }
    }

    /** {@code host:port}, as an operator would write it. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
