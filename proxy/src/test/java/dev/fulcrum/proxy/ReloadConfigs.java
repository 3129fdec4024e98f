package dev.fulcrum.proxy;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.HealthCheckConfig;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Configurations for reload tests: the test listener and pool of {@link TestConfigs}, with backends named as given. */
final class ReloadConfigs {

    private ReloadConfigs() {
    }

    static Backend backend(String name, int port, int weight) {
        return new Backend(name, "127.0.0.1", port, weight, 0);
    }

    static FulcrumConfig withPool(FulcrumConfig base, String policy, List<Backend> backends) {
        return withPool(base, policy, backends, null, PoolConfig.DEFAULT_REMOVED_BACKEND_DRAIN_TIMEOUT);
    }

    static FulcrumConfig withPool(FulcrumConfig base, String policy, List<Backend> backends, HealthCheckConfig health,
            Duration removedDrain) {
        PoolConfig pool = new PoolConfig(TestConfigs.POOL, PolicyConfig.of(policy), backends, health, removedDrain);
        return new FulcrumConfig(base.source(), base.runtime(), base.admin(), base.listeners(), Map.of(TestConfigs.POOL, pool),
                base.telemetry());
    }

    static FulcrumConfig withListeners(FulcrumConfig base, ListenerConfig... listeners) {
        Map<String, ListenerConfig> map = new LinkedHashMap<>();
        for (ListenerConfig l : listeners) {
            map.put(l.name(), l);
        }
        return new FulcrumConfig(base.source(), base.runtime(), base.admin(), map, base.pools(), base.telemetry());
    }
}
