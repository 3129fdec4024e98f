package dev.fulcrum.proxy.config;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.List;

/**
 * @param name     the key under {@code pools}
 * @param policy   the balancing policy and its parameters ({@code policy: {type: round-robin}})
 * @param backends in file order; names unique in the pool
 * @param health   the active health checks, or {@code null} for none (every backend stays up)
 * @param operations passive ejection, slow start and the PROXY header sent to backends
 */
public record PoolConfig(String name, PolicyConfig policy, List<Backend> backends, HealthCheckConfig health,
        PoolOperations operations) {

    public PoolConfig {
        backends = List.copyOf(backends);
        operations = operations == null ? PoolOperations.NONE : operations;
    }

    /** A pool with the given checks and no ejection, slow start or PROXY header. */
    public PoolConfig(String name, PolicyConfig policy, List<Backend> backends, HealthCheckConfig health) {
        this(name, policy, backends, health, PoolOperations.NONE);
    }

    /** A pool without health checks. */
    public PoolConfig(String name, PolicyConfig policy, List<Backend> backends) {
        this(name, policy, backends, null);
    }
}
