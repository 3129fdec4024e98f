package dev.fulcrum.proxy.config;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import java.time.Duration;
import java.util.List;

/**
 * @param name     the key under {@code pools}
 * @param policy   the balancing policy and its parameters ({@code policy: {type: round-robin}})
 * @param backends in file order; names unique in the pool
 * @param health   the active health checks, or {@code null} for none (every backend stays up)
 * @param operations passive ejection, slow start and the PROXY header sent to backends
 * @param removedBackendDrainTimeout how long the open flows of a backend that a reload removed may
 *                 go on before they are closed; {@link Duration#ZERO} closes them at once
 */
public record PoolConfig(String name, PolicyConfig policy, List<Backend> backends, HealthCheckConfig health,
        PoolOperations operations, Duration removedBackendDrainTimeout) {

    public static final Duration DEFAULT_REMOVED_BACKEND_DRAIN_TIMEOUT = Duration.ofMinutes(5);

    public PoolConfig {
        backends = List.copyOf(backends);
        operations = operations == null ? PoolOperations.NONE : operations;
        removedBackendDrainTimeout = removedBackendDrainTimeout == null
                ? DEFAULT_REMOVED_BACKEND_DRAIN_TIMEOUT : removedBackendDrainTimeout;
    }

    /** A pool with the given operations and the default drain time for removed backends. */
    public PoolConfig(String name, PolicyConfig policy, List<Backend> backends, HealthCheckConfig health,
            PoolOperations operations) {
        this(name, policy, backends, health, operations, DEFAULT_REMOVED_BACKEND_DRAIN_TIMEOUT);
    }

    /** A pool with no ejection, slow start or PROXY header, and the given drain time for removed backends. */
    public PoolConfig(String name, PolicyConfig policy, List<Backend> backends, HealthCheckConfig health,
            Duration removedBackendDrainTimeout) {
        this(name, policy, backends, health, PoolOperations.NONE, removedBackendDrainTimeout);
    }

    /** A pool with the given checks, no ejection, slow start or PROXY header, and the default drain time. */
    public PoolConfig(String name, PolicyConfig policy, List<Backend> backends, HealthCheckConfig health) {
        this(name, policy, backends, health, PoolOperations.NONE, DEFAULT_REMOVED_BACKEND_DRAIN_TIMEOUT);
    }

    /** A pool without health checks. */
    public PoolConfig(String name, PolicyConfig policy, List<Backend> backends) {
        this(name, policy, backends, null);
    }
}
