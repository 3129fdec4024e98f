package dev.fulcrum.proxy.config;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.List;

/**
 * @param name     the key under {@code pools}
 * @param policy   the balancing policy and its parameters ({@code policy: {type: round-robin}})
 * @param backends in file order; names unique in the pool
 */
public record PoolConfig(String name, PolicyConfig policy, List<Backend> backends) {

    public PoolConfig {
        backends = List.copyOf(backends);
    }
}
