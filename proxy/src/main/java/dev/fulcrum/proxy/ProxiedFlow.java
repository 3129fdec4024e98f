package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.telemetry.FlowRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection and the backend connection made for it: which backend, bytes each way,
 * which directions are shut, and why it ended.
 *
 * <p>Threading: both connections are registered on the client's event loop (the backend connect
 * is bootstrapped there), so every method runs on that one thread and nothing here is shared or
 * synchronised.
 */
final class ProxiedFlow {

    enum Side {
        CLIENT, BACKEND;

        Side other() {
            return this == CLIENT ? BACKEND : CLIENT;
        }
    }

    private final Listener listener;
    private final Channel client;
    /** Keyed on the connection's peer, then on a PROXY header's source when one names it. */
    private Flow flow;
    private Channel backend;
    private BackendState target;
    private Pool.BackendMeters targetMeters;
    private int connectAttempts;
    /** When the current backend connect started, to feed its latency estimate on success. */
    private long connectStartNanos;
    private long bytesToBackend;
    private long bytesToClient;
    private boolean clientInputShut;
    private boolean backendInputShut;
    private boolean clientOutputShut;
    private boolean backendOutputShut;
    private boolean clientClosed;
    private boolean backendClosed;
    private boolean rejected;
    /** Client bytes read before the backend connected (epoll may read on RDHUP even with auto-read off). */
    private List<Object> heldForBackend;
    private EndReason endReason;
    /** In-line telemetry of this flow (a no-op record when telemetry is off). */
    private final FlowRecord record;
    /** Waiting for the inbound PROXY header, or the TLS server name, before a backend can be picked. */
    private boolean awaitingProxyHeader;
    private boolean awaitingServerName;
    /** Ends the flow after the listener's idle timeout without traffic; {@code null} when it has none. */
    private IdleCheck idleCheck;

    ProxiedFlow(Listener listener, Channel client, FlowRecord record) {
        this.listener = listener;
        this.client = client;
        this.record = record;
        this.flow = FlowKeys.flow(listener.config().key(), (InetSocketAddress) client.remoteAddress());
    }

    /** The backend the flow is on or connecting to, or {@code null} before the pick (for reloads). */
    BackendState target() {
        return target;
    }

    Channel channel(Side side) {
        return side == Side.CLIENT ? client : backend;
    }

    /**
     * The client connected: count it against the listener's limit and connect a backend, or, on a
     * listener with PROXY protocol, wait for {@link #proxyHeaderRead} (the header decides the key,
     * so no backend can be picked before it).
     */
    void start() {
        if (!listener.tryOpen()) {
            // Never counted as open: closed() must not release it, nor count its end again.
            rejected = true;
            listener.ended(EndReason.LISTENER_FULL);
            client.config().setOption(ChannelOption.SO_LINGER, 0);
            client.close();
            return;
        }
        listener.clients().add(client);
        long idleMillis = listener.config().idleTimeout().toMillis();
        if (idleMillis > 0) {
            idleCheck = new IdleCheck(this, client.eventLoop(), idleMillis);
            idleCheck.start();
        }
        awaitingProxyHeader = listener.config().proxyProtocol() != ListenerConfig.ProxyProtocol.OFF;
        awaitingServerName = listener.config().key() == ListenerConfig.FlowKey.SNI;
        connectWhenKeyed();
    }

    private void connectWhenKeyed() {
        if (!awaitingProxyHeader && !awaitingServerName && !clientClosed && !rejected) {
            connectNextBackend();
        }
    }

    /**
     * The TLS server name is read ({@code null} when the hello had none, or was not one: the flow
     * keeps its key on the client's address); connect once the PROXY header, if any, is read too.
     */
    void serverNameRead(String serverName) {
        if (clientClosed || rejected || !awaitingServerName) {
            return;
        }
        awaitingServerName = false;
        if (serverName != null) {
            flow = FlowKeys.serverNameFlow(serverName, flow.client());
        }
        connectWhenKeyed();
    }

    /**
     * The client's PROXY header is read: key the flow on the client it names ({@code null} for a
     * LOCAL command or an unknown family, which keep the connection's own address) and connect.
     */
    void proxyHeaderRead(InetSocketAddress source) {
        if (clientClosed || rejected) {
            return;
        }
        if (source != null) {
            flow = FlowKeys.flow(listener.config().key(), source);
        }
        awaitingProxyHeader = false;
        connectWhenKeyed();
    }

    private void connectNextBackend() {
        BackendState chosen = pickWithCapacity();
        if (chosen == null) {
            abort(connectAttempts == 0 ? EndReason.NO_BACKEND : EndReason.CONNECT_FAILED);
            return;
        }
        Pool pool = listener.pool();
        target = chosen;
        targetMeters = pool.meters(chosen);
        connectAttempts++;
        connectStartNanos = System.nanoTime();
        record.connecting(pool.backends(), chosen, connectStartNanos, connectAttempts);
        ChannelFuture connecting;
        try {
            connecting = listener.backendConnector().connect(client.eventLoop(), pool.address(chosen),
                    new RelayHandler(this, Side.BACKEND));
        } catch (ChannelException e) {
            connectFailed(e); // no socket to be had (no file descriptor left)
            return;
        }
        connecting.addListener((ChannelFutureListener) this::connected);
    }

    /** The policy's pick, skipping backends that filled up between the pick and the acquire. */
    private BackendState pickWithCapacity() {
        BalancingPolicy policy = listener.pool().policy();
        for (int i = 0, n = policy.backends().size(); i <= n; i++) {
            BackendState candidate = policy.pick(flow);
            if (candidate == null) {
                return null;
            }
            if (candidate.tryAcquire()) {
                return candidate;
            }
            flow.markTried(candidate);
        }
        return null;
    }

    private void connected(ChannelFuture future) {
        if (!client.eventLoop().inEventLoop()) {
            // A backend socket that could not even be created (no file descriptor left) fails its
            // future on Netty's global executor: come back to the flow's own loop.
            client.eventLoop().execute(() -> connected(future));
            return;
        }
        if (!future.isSuccess()) {
            connectFailed(future.cause());
            return;
        }
        backend = future.channel();
        // The connect time is the round trip the proxy sees in-line for every flow: it feeds the
        // backend's latency estimate (one CAS, no allocation) that latency-aware policies read.
        // A failed connect is no sample; it counts as a connect failure above.
        long connectedNanos = System.nanoTime();
        target.recordLatency(connectedNanos - connectStartNanos, connectedNanos);
        targetMeters.flows.increment();
        record.connected(backend, connectedNanos);
        if (clientClosed) {
            // A client that reset before its backend answered resets the backend too, as it would have after.
            if (endReason == EndReason.CLIENT_RESET) {
                resetChannel(backend);
            } else {
                backend.close();
            }
            return;
        }
        var sendProxyProtocol = listener.pool().config().operations().sendProxyProtocol();
        if (sendProxyProtocol != dev.fulcrum.proxy.config.PoolOperations.SendProxyProtocol.OFF) {
            // First on the wire: before the held bytes, and before the client is read at all.
            ProxyHeaderSender.send(backend, sendProxyProtocol, flow.client(), (InetSocketAddress) client.localAddress());
        }
        if (heldForBackend != null) {
            for (Object msg : heldForBackend) {
                if (msg instanceof ByteBuf buf) {
                    relayed(Side.CLIENT, buf.readableBytes());
                }
                backend.write(msg, backend.voidPromise());
            }
            heldForBackend = null;
            backend.flush();
        }
        if (clientInputShut) {
            clientInputShut = false;
            inputShutdown(Side.CLIENT);
        } else {
            client.config().setAutoRead(true);
        }
        backend.config().setAutoRead(true);
    }

    private void connectFailed(Throwable cause) {
        warn("connect to backend " + target.backend().name() + " (" + listener.pool().address(target) + ") failed: "
                + cause);
        target.release();
        targetMeters.connectFailures.increment();
        record.connectFailed();
        recordFailure(target);
        flow.markTried(target);
        target = null;
        if (clientClosed) {
            finishIfDone();
        } else if (connectAttempts < listener.config().connectAttempts()) {
            connectNextBackend();
        } else {
            abort(EndReason.CONNECT_FAILED);
        }
    }

    /**
     * Keeps client bytes that arrive before the backend is connected; sent first once it is. With
     * auto-read off this happens only when the client's FIN arrives, and then Netty reads what the
     * socket's receive buffer holds, so the hold is bounded by that buffer.
     */
    void holdForBackend(Object msg) {
        if (heldForBackend == null) {
            heldForBackend = new ArrayList<>(2);
        }
        heldForBackend.add(msg);
        if (idleCheck != null) {
            idleCheck.active();
        }
    }

    private void releaseHeld() {
        if (heldForBackend != null) {
            heldForBackend.forEach(ReferenceCountUtil::release);
            heldForBackend = null;
        }
    }

    /** Counts bytes read on {@code from} and queued to the other side. */
    void relayed(Side from, int bytes) {
        record.relayed(from == Side.CLIENT, bytes);
        if (idleCheck != null) {
            idleCheck.active();
        }
        if (from == Side.CLIENT) {
            bytesToBackend += bytes;
        } else {
            if (bytesToClient == 0 && bytes > 0) {
                target.recordSuccess(); // the backend answered: it works
            }
            bytesToClient += bytes;
        }
    }

    boolean outputShut(Side side) {
        return side == Side.CLIENT ? clientOutputShut : backendOutputShut;
    }

    boolean inputShut(Side side) {
        return side == Side.CLIENT ? clientInputShut : backendInputShut;
    }

    /**
     * {@code side} sent its FIN: pass it on once the bytes already queued for the peer are flushed,
     * and keep relaying the other way (a client that shuts its output still gets the response).
     */
    void inputShutdown(Side side) {
        if (side == Side.CLIENT) {
            clientInputShut = true;
        } else {
            backendInputShut = true;
        }
        endedBy(side == Side.CLIENT ? EndReason.CLIENT_CLOSE : EndReason.BACKEND_CLOSE);
        closeIfBothWaysShut(side);
        Channel peer = channel(side.other());
        if (peer == null || !peer.isActive()) {
            return;
        }
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (peer.isActive() && inputShut(side.other())) {
                // The peer already sent its FIN, so once its queue is flushed nothing is left either
                // way: close() sends the same FIN as shutdownOutput() would, without the second
                // system call, and without the exception Netty builds for every output shutdown.
                peer.close();
            } else if (peer.isActive() && peer instanceof DuplexChannel duplex) {
                // Once the peer's own FIN comes nothing is left either way: with half-closure off,
                // Netty closes the socket on that FIN instead of shutting its input, a
                // shutdown(SHUT_RD) that fails with ENOTCONN (both FINs are through by then) and
                // builds a NotYetConnectedException. closed() then does what inputShutdown() would.
                peer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
                if (OutputShutdown.shutdown(peer)) {
                    outputShutDown(side.other()); // everything queued is written: nothing to fail
                } else {
                    duplex.shutdownOutput().addListener((ChannelFutureListener) done -> outputShutDown(side.other()));
                }
            }
        });
    }

    private void outputShutDown(Side side) {
        if (side == Side.CLIENT) {
            clientOutputShut = true;
        } else {
            backendOutputShut = true;
        }
        closeIfBothWaysShut(side);
    }

    /**
     * A socket with nothing left to read or write is closed at once, rather than when the whole flow
     * is done; its peer is then closed by {@link #closed} once what is queued for it is written.
     */
    private void closeIfBothWaysShut(Side side) {
        if (inputShut(side) && outputShut(side)) {
            channel(side).close();
        }
    }

    /** {@code side} reset its connection: reset the other one too, dropping what is queued for it. */
    void reset(Side side) {
        endedBy(side == Side.CLIENT ? EndReason.CLIENT_RESET : EndReason.BACKEND_RESET);
        if (side == Side.BACKEND && target != null) {
            recordFailure(target);
        }
        resetChannel(channel(side.other()));
    }

    private static void resetChannel(Channel channel) {
        if (channel != null && channel.isOpen()) {
            // SO_LINGER 0 makes close() send an RST instead of a FIN.
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    /** Closes both connections at once, for a timeout, a failed connect or shutdown. */
    void abort(EndReason reason) {
        endedBy(reason);
        client.close();
        if (backend != null) {
            backend.close();
        }
    }

    /** Closes both connections at once, discarding queued bytes and resetting both peers. */
    void abortWithReset(EndReason reason) {
        endedBy(reason);
        resetChannel(client);
        resetChannel(backend);
    }

    /** {@code side}'s connection closed: close the other once what is queued for it is written. */
    void closed(Side side) {
        if (rejected) {
            return;
        }
        if (side == Side.CLIENT) {
            releaseHeld();
            clientClosed = true;
            if (idleCheck != null) {
                idleCheck.stop();
            }
            listener.closed();
            endedBy(EndReason.CLIENT_CLOSE);
        } else {
            backendClosed = true;
            target.release();
            if (endReason != EndReason.BACKEND_RESET) {
                target.recordSuccess(); // closed without a reset
            }
            endedBy(EndReason.BACKEND_CLOSE);
        }
        Channel peer = channel(side.other());
        if (peer != null && peer.isActive()) {
            ChannelFuture flushed = peer.writeAndFlush(Unpooled.EMPTY_BUFFER);
            flushed.addListener(ChannelFutureListener.CLOSE);
            long idleMillis = listener.config().idleTimeout().toMillis();
            if (!flushed.isDone() && idleMillis > 0) {
                // A peer that stops reading would keep that flush, and so its socket, open forever:
                // the listener's idle timeout bounds it, as it bounds the flow while both are open.
                var forcedClose = peer.eventLoop().schedule(() -> {
                    peer.close();
                }, idleMillis, TimeUnit.MILLISECONDS);
                peer.closeFuture().addListener(f -> forcedClose.cancel(false));
            }
        }
        finishIfDone();
    }

    private void finishIfDone() {
        boolean backendDone = backend == null ? target == null : backendClosed;
        if (!clientClosed || !backendDone) {
            return;
        }
        if (targetMeters != null) {
            targetMeters.bytesToBackend.increment(bytesToBackend);
            targetMeters.bytesToClient.increment(bytesToClient);
        }
        listener.ended(endReason == null ? EndReason.ERROR : endReason);
        record.finished(endReason == null ? EndReason.ERROR : endReason);
    }

    /**
     * The first reason recorded is the flow's, as later ones are mostly its consequences; except
     * that a half-close is a normal step, so a reset, timeout or failure after it is the reason.
     */
    private void endedBy(EndReason reason) {
        record.ending();
        if (endReason == null || (isNormalClose(endReason) && !isNormalClose(reason))) {
            endReason = reason;
        }
    }

    private static boolean isNormalClose(EndReason reason) {
        return reason == EndReason.CLIENT_CLOSE || reason == EndReason.BACKEND_CLOSE;
    }

    /** The flow's state, for diagnostics (call on the flow's event loop). */
    @Override
    public String toString() {
        return "flow{client " + describe(client, clientInputShut, clientOutputShut)
                + ", backend " + describe(backend, backendInputShut, backendOutputShut)
                + ", toBackend " + bytesToBackend + ", toClient " + bytesToClient + ", end " + endReason + "}";
    }

    private static String describe(Channel channel, boolean inputShut, boolean outputShut) {
        if (channel == null) {
            return "-";
        }
        return (channel.isActive() ? "active" : "closed") + (channel.config().isAutoRead() ? " reading" : " paused")
                + (channel.isWritable() ? " writable" : " unwritable") + " queued " + pending(channel)
                + (inputShut ? " in-shut" : "") + (outputShut ? " out-shut" : "");
    }

    /** Counts a failure toward passive ejection; an ejection is reported to the control thread's log. */
    private void recordFailure(BackendState backend) {
        if (backend.recordFailure()) {
            warn("pool " + listener.pool().name() + " backend " + backend.backend().name() + " ejected after "
                    + backend.outlierDetection().consecutiveFailures() + " failures in a row ("
                    + backend.ejections() + " ejections so far)");
        }
    }

    /** Queues a warning for the control thread to log (an event loop never logs). */
    void warn(String message) {
        listener.warnings().report("listener " + listener.name() + ": " + message);
    }

    /** Bytes queued in the proxy for this flow, both ways (must be called on the flow's event loop). */
    long bufferedBytes() {
        long held = 0;
        if (heldForBackend != null) {
            for (Object msg : heldForBackend) {
                held += msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
            }
        }
        return held + pending(client) + pending(backend);
    }

    private static long pending(Channel channel) {
        if (channel == null || channel.unsafe().outboundBuffer() == null) {
            return 0;
        }
        return channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    }
}
