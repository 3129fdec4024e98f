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
import java.util.List;

/**
 * A pool at run time, as one configuration made it: its backends' live state, their addresses
 * resolved once (DNS never runs on an event loop), their meters, and the current policy, read by
 * event loops through a volatile field. A reload builds a new pool from the old one
 * ({@link #create(PoolConfig, Pool)}): backends that stay keep their live state and meters; the
 * old pool lives on for the flows that picked from it.
 */
final class Pool {

    private final PoolConfig config;
    private final BackendSet backends;
    private final InetSocketAddress[] addresses;
    private final BackendMeters[] meters;
    private volatile BalancingPolicy policy;

    private Pool(PoolConfig config, BackendSet backends, InetSocketAddress[] addresses, BalancingPolicy policy) {
        this.config = config;
        this.backends = backends;
        this.addresses = addresses;
        this.meters = new BackendMeters[backends.size()];
        this.policy = policy;
    }

    /** Resolves every backend address and builds the policy and meters; throws naming the backend that failed. */
    static Pool create(PoolConfig config, MeterRegistry registry) {
        Pool pool = create(config, (Pool) null);
        pool.activate(registry, null);
        return pool;
    }

    /**
     * Builds the pool a reload gives, with no side effect on {@code previous} (the reload may still
     * be refused): backends of {@code previous} with the same name and address carry their live
     * state over, and a policy of the same type gets the previous one to carry its own state.
     * {@link #activate} must run before the pool is published.
     */
    static Pool create(PoolConfig config, Pool previous) {
        BackendSet backends = BackendSet.carryingOver(config.backends(), previous == null ? null : previous.backends);
        InetSocketAddress[] addresses = new InetSocketAddress[backends.size()];
        for (BackendState state : backends.states()) {
            Backend backend = state.backend();
            try {
                addresses[state.index()] = new InetSocketAddress(InetAddress.getByName(backend.host()), backend.port());
            } catch (UnknownHostException e) {
                throw new StartupException("pools." + config.name() + ".backends[" + state.index() + "].address: cannot resolve "
                        + backend.host() + " (" + e.getMessage() + ")");
            }
        }
        BalancingPolicy carried = previous != null && previous.config.policy().type().equals(config.policy().type())
                ? previous.policy : null;
        BalancingPolicy policy = Policies.create(backends, config.policy(), carried);
        return new Pool(config, backends, addresses, policy);
    }

    /**
     * Sets the pool's ejection and slow-start settings on its backends; on a reload, the backends it
     * adds start their slow start. Part of the commit (the states it touches may be shared with
     * {@code previous}, which must stay as it was while a reload may still be refused).
     */
    private void applyOperations(Pool previous) {
        PoolOperationsRuntime.apply(config, backends);
        if (previous == null) {
            return;
        }
        for (BackendState state : backends.states()) {
            BackendState before = previous.backends.byName(state.backend().name());
            if (before == null || !state.sharesLiveStateWith(before)) {
                state.startSlowStart();
            }
        }
    }

    /**
     * Makes the pool ready to publish (at start, or in a reload's commit): sets its ejection and
     * slow-start settings on its backends, and gives each backend its meters: those of
     * {@code previous} for a backend that stays (their gauges now read the new state), new ones
     * otherwise.
     */
    void activate(MeterRegistry registry, Pool previous) {
        applyOperations(previous);
        for (BackendState state : backends.states()) {
            BackendState before = previous == null ? null : previous.backends.byName(state.backend().name());
            if (before != null && state.sharesLiveStateWith(before)) {
                BackendMeters kept = previous.meters(before);
                kept.state = state;
                meters[state.index()] = kept;
            } else {
                meters[state.index()] = new BackendMeters(config.name(), state, registry);
            }
        }
    }

    /** Removes the gauges of backends that the next pool no longer has (their counters stay, as counters do). */
    void removeGaugesNotIn(Pool next, MeterRegistry registry) {
        for (BackendState state : backends.states()) {
            BackendState after = next == null ? null : next.backends.byName(state.backend().name());
            if (after == null || !after.sharesLiveStateWith(state)) {
                meters(state).gauges.forEach(registry::remove);
            }
        }
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

    /**
     * Per-backend meters, looked up once so the data plane only increments. They outlive a reload
     * that keeps the backend: the gauges read {@link #state}, which the reload moves to the new
     * state (a gauge bound to an old state would go stale, and Micrometer keeps the first gauge
     * registered under a name).
     */
    static final class BackendMeters {
        final Counter flows;
        final Counter connectFailures;
        final Counter bytesToBackend;
        final Counter bytesToClient;
        private final List<Gauge> gauges;
        private volatile BackendState state;

        BackendMeters(String pool, BackendState state, MeterRegistry registry) {
            this.state = state;
            Tags tags = Tags.of(MeterNames.TAG_POOL, pool, MeterNames.TAG_BACKEND, state.backend().name());
            flows = registry.counter(MeterNames.BACKEND_FLOWS, tags);
            connectFailures = registry.counter(MeterNames.BACKEND_CONNECT_FAILURES, tags);
            bytesToBackend = registry.counter(MeterNames.BACKEND_BYTES, tags.and(MeterNames.TAG_DIRECTION, "to_backend"));
            bytesToClient = registry.counter(MeterNames.BACKEND_BYTES, tags.and(MeterNames.TAG_DIRECTION, "to_client"));
            gauges = List.of(
                    Gauge.builder(MeterNames.BACKEND_ACTIVE, this, m -> m.state.activeFlows()).tags(tags).register(registry),
                    Gauge.builder(MeterNames.BACKEND_HEALTHY, this, m -> m.state.isHealthy() ? 1 : 0).tags(tags).register(registry),
                    Gauge.builder(MeterNames.BACKEND_EJECTED, this, m -> m.state.isEjected() ? 1 : 0).tags(tags).register(registry));
            // A counter, kept like the others when the backend leaves; reads through the shared ejection state.
            FunctionCounter.builder(MeterNames.BACKEND_EJECTIONS, this, m -> m.state.ejections()).tags(tags).register(registry);
        }
    }
}
