package dev.fulcrum.proxy;

import dev.fulcrum.proxy.config.ListenerConfig;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;

/**
 * A listener as one configuration sees it: its settings, its pool and the connector of its
 * backend connections, immutable. A reload publishes a new one on the same {@link ListenerSocket};
 * a flow keeps the one it was accepted with, and its counts go to the socket.
 */
final class Listener {

    private final ListenerConfig config;
    private final Pool pool;
    private final BackendConnector backendConnector;
    private final ListenerSocket socket;

    Listener(ListenerConfig config, Pool pool, BackendConnector backendConnector, ListenerSocket socket) {
        this.config = config;
        this.pool = pool;
        this.backendConnector = backendConnector;
        this.socket = socket;
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

    BackendConnector backendConnector() {
        return backendConnector;
    }

    ListenerSocket socket() {
        return socket;
    }

    DataPlaneWarnings warnings() {
        return socket.warnings();
    }

    /** Counts a new client connection if the listener is under its limit. */
    boolean tryOpen() {
        return socket.tryOpen(config.maxConnections());
    }

    void closed() {
        socket.closed();
    }

    int openConnections() {
        return socket.openConnections();
    }

    void ended(EndReason reason) {
        socket.ended(reason);
    }

    long endedCount(EndReason reason) {
        return socket.endedCount(reason);
    }

    long acceptedCount() {
        return socket.acceptedCount();
    }

    ChannelGroup clients() {
        return socket.clients();
    }

    Channel serverChannel() {
        return socket.serverChannel();
    }
}
