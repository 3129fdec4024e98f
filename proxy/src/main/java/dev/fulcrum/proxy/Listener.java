package dev.fulcrum.proxy;

import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.proxy.config.ListenerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener at run time: its pool, its open client connections (counted against the limit and
 * grouped so shutdown can close them), a bootstrap template for backend connections, and meters.
 */
final class Listener {

    private final ListenerConfig config;
    private final Pool pool;
    private final Bootstrap backendBootstrap;
    private final DataPlaneWarnings warnings;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup clients;
    private final Counter accepted;
    private final Map<EndReason, Counter> ended = new EnumMap<>(EndReason.class);
    private volatile Channel serverChannel;

    Listener(ListenerConfig config, Pool pool, Bootstrap backendBootstrap, DataPlaneWarnings warnings, MeterRegistry registry) {
        this.config = config;
        this.warnings = warnings;
        this.pool = pool;
        this.backendBootstrap = backendBootstrap;
        this.clients = new DefaultChannelGroup("listener-" + config.name(), GlobalEventExecutor.INSTANCE);
        Tags tags = Tags.of(MeterNames.TAG_LISTENER, config.name());
        this.accepted = registry.counter(MeterNames.FLOWS_ACCEPTED, tags);
        for (EndReason reason : EndReason.values()) {
            ended.put(reason, registry.counter(MeterNames.FLOWS_ENDED, tags.and(MeterNames.TAG_REASON, reason.tag())));
        }
        Gauge.builder(MeterNames.LISTENER_OPEN, open, AtomicInteger::get).tags(tags).register(registry);
    }

    String name() {
        return config.name();
    }

    ListenerConfig config() {
        return config;
    }

    Pool pool() {
        return pool;
    }

    Bootstrap backendBootstrap() {
        return backendBootstrap;
    }

    DataPlaneWarnings warnings() {
        return warnings;
    }

    /** Counts a new client connection if the listener is under its limit. */
    boolean tryOpen() {
        for (;;) {
            int current = open.get();
            if (current >= config.maxConnections()) {
                return false;
            }
            if (open.compareAndSet(current, current + 1)) {
                accepted.increment();
                return true;
            }
        }
    }

    void closed() {
        open.decrementAndGet();
    }

    int openConnections() {
        return open.get();
    }

    void ended(EndReason reason) {
        ended.get(reason).increment();
    }

    long endedCount(EndReason reason) {
        return (long) ended.get(reason).count();
    }

    long acceptedCount() {
        return (long) accepted.count();
    }

    ChannelGroup clients() {
        return clients;
    }

    Channel serverChannel() {
        return serverChannel;
    }

    void bound(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }
}
