package dev.fulcrum.proxy;

import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener across reloads: its listening socket, its open client connections (counted against
 * the limit and grouped so shutdown can close them) and its meters. What a reload may change (the
 * settings, the pool, the backend bootstrap) is in the {@link Listener} it holds: each accepted
 * connection takes the one current at accept and keeps it, so a flow never mixes two
 * configurations; the counts here go on across reloads.
 */
final class ListenerSocket {

    private final String name;
    private final DataPlaneWarnings warnings;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup clients;
    // Registered once the listener goes live (a refused reload leaves no meter behind); before
    // that its socket accepts nothing (auto-read off), so no flow reads them unset.
    private Counter accepted;
    private final Map<EndReason, Counter> ended = new EnumMap<>(EndReason.class);
    private Gauge openGauge;
    private volatile Listener current;
    private MeterRegistry registry;
    /** Created when a configuration first keys this listener on SNI (off the event loops). */
    private volatile SniFallbacks sniFallbacks;
    private volatile Channel serverChannel;

    ListenerSocket(String name, DataPlaneWarnings warnings) {
        this.name = name;
        this.warnings = warnings;
        this.clients = new DefaultChannelGroup("listener-" + name, GlobalEventExecutor.INSTANCE);
    }

    void registerMeters(MeterRegistry registry) {
        this.registry = registry;
        Tags tags = Tags.of(MeterNames.TAG_LISTENER, name);
        accepted = registry.counter(MeterNames.FLOWS_ACCEPTED, tags);
        for (EndReason reason : EndReason.values()) {
            ended.put(reason, registry.counter(MeterNames.FLOWS_ENDED, tags.and(MeterNames.TAG_REASON, reason.tag())));
        }
        openGauge = Gauge.builder(MeterNames.LISTENER_OPEN, open, AtomicInteger::get).tags(tags).register(registry);
    }

    /** A listener removed by a reload, once its last flow ended: its gauge goes (its counters stay). */
    void removeGauge(MeterRegistry registry) {
        if (openGauge != null) {
            registry.remove(openGauge);
        }
    }

    String name() {
        return name;
    }

    /** The settings and pool new connections get. */
    Listener current() {
        return current;
    }

    void publish(Listener listener) {
        if (listener.config().key() == ListenerConfig.FlowKey.SNI && sniFallbacks == null && registry != null) {
            sniFallbacks = new SniFallbacks(name, registry);
        }
        this.current = listener;
    }

    /** The SNI fallback counters, once a configuration keyed this listener on SNI; else {@code null}. */
    SniFallbacks sniFallbacks() {
        return sniFallbacks;
    }

    DataPlaneWarnings warnings() {
        return warnings;
    }

    /** Counts a new client connection if the listener is under {@code limit}. */
    boolean tryOpen(int limit) {
        for (;;) {
            int count = open.get();
            if (count >= limit) {
                return false;
            }
            if (open.compareAndSet(count, count + 1)) {
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
