package dev.fulcrum.proxy;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.proxy.config.PoolConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A pool at run time: its backends' live state, their addresses resolved once (DNS never runs on an
 * event loop), their meters, and the current policy, read by event loops through a volatile field.
 */
final class Pool {

    private final PoolConfig config;
    private final BackendSet backends;
    private final InetSocketAddress[] addresses;
    private final BackendMeters[] meters;
    private volatile BalancingPolicy policy;

    private Pool(PoolConfig config, BackendSet backends, InetSocketAddress[] addresses, BackendMeters[] meters,
            BalancingPolicy policy) {
        this.config = config;
        this.backends = backends;
        this.addresses = addresses;
        this.meters = meters;
        this.policy = policy;
    }

    /** Resolves every backend address and builds the policy; throws naming the backend that failed. */
    static Pool create(PoolConfig config, MeterRegistry registry) {
        BackendSet backends = BackendSet.of(config.backends());
        InetSocketAddress[] addresses = new InetSocketAddress[backends.size()];
        BackendMeters[] meters = new BackendMeters[backends.size()];
        for (BackendState state : backends.states()) {
            Backend backend = state.backend();
            try {
                addresses[state.index()] = new InetSocketAddress(InetAddress.getByName(backend.host()), backend.port());
            } catch (UnknownHostException e) {
                throw new StartupException("pools." + config.name() + ".backends[" + state.index() + "].address: cannot resolve "
                        + backend.host() + " (" + e.getMessage() + ")");
            }
            meters[state.index()] = new BackendMeters(config.name(), state, registry);
        }
        PoolOperationsRuntime.apply(config, backends);
        BalancingPolicy policy = Policies.create(backends, config.policy(), null);
        return new Pool(config, backends, addresses, meters, policy);
    }

    String name() {
        return config.name();
    }

    PoolConfig config() {
        return config;
    }

    BackendSet backends() {
        return backends;
    }

    BalancingPolicy policy() {
        return policy;
    }

    InetSocketAddress address(BackendState backend) {
        return addresses[backend.index()];
    }

    /** Ends the ejections whose time is up (control thread), so gauges and slow starts move without traffic. */
    void refreshEjections() {
        for (BackendState state : backends.states()) {
            state.refreshEjection();
        }
    }

    BackendMeters meters(BackendState backend) {
        return meters[backend.index()];
    }

    /** Per-backend meters, looked up once so the data plane only increments. */
    static final class BackendMeters {
        final Counter flows;
        final Counter connectFailures;
        final Counter bytesToBackend;
        final Counter bytesToClient;

        BackendMeters(String pool, BackendState state, MeterRegistry registry) {
            Tags tags = Tags.of(MeterNames.TAG_POOL, pool, MeterNames.TAG_BACKEND, state.backend().name());
            flows = registry.counter(MeterNames.BACKEND_FLOWS, tags);
            connectFailures = registry.counter(MeterNames.BACKEND_CONNECT_FAILURES, tags);
            bytesToBackend = registry.counter(MeterNames.BACKEND_BYTES, tags.and(MeterNames.TAG_DIRECTION, "to_backend"));
            bytesToClient = registry.counter(MeterNames.BACKEND_BYTES, tags.and(MeterNames.TAG_DIRECTION, "to_client"));
            Gauge.builder(MeterNames.BACKEND_ACTIVE, state, BackendState::activeFlows).tags(tags).register(registry);
            Gauge.builder(MeterNames.BACKEND_HEALTHY, state, s -> s.isHealthy() ? 1 : 0).tags(tags).register(registry);
            FunctionCounter.builder(MeterNames.BACKEND_EJECTIONS, state, BackendState::ejections).tags(tags).register(registry);
            Gauge.builder(MeterNames.BACKEND_EJECTED, state, s -> s.isEjected() ? 1 : 0).tags(tags).register(registry);
        }
    }
}
