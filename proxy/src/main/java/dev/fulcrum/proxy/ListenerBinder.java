package dev.fulcrum.proxy;

import dev.fulcrum.proxy.config.HostPort;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.qos.QosRuntime;
import dev.fulcrum.proxy.telemetry.Telemetry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Binds listening sockets and makes the bootstraps of backend connections. A socket is bound with
 * accepting paused, so start-up and reloads can bind every listener first and go live only when
 * all succeeded (connections that arrive meanwhile wait in the backlog).
 */
final class ListenerBinder {

    private final EventLoopGroup group;
    private final TransportKind transport;
    /** Read per accepted connection: telemetry starts after the binder is made. */
    private final Supplier<Telemetry> telemetry;
    /** The bandwidth classes' shapers, or {@code null} without a {@code qos} section. */
    private final Supplier<QosRuntime> qosRuntime;

    ListenerBinder(EventLoopGroup group, TransportKind transport, Supplier<Telemetry> telemetry, Supplier<QosRuntime> qosRuntime) {
        this.telemetry = telemetry;
        this.qosRuntime = qosRuntime;
        this.group = group;
        this.transport = transport;
    }

    BackendConnector backendConnector(ListenerConfig listener) {
        return new BackendConnector(transport.channel(),
                (int) Math.min(Integer.MAX_VALUE, listener.connectTimeout().toMillis()), waterMark(listener));
    }

    private static WriteBufferWaterMark waterMark(ListenerConfig listener) {
        return new WriteBufferWaterMark(listener.writeBuffer().low(), listener.writeBuffer().high());
    }

    /**
     * Binds {@code address} for {@code socket}, not accepting yet ({@link #startAccepting}); each
     * connection accepted later gets the socket's {@link ListenerSocket#current() current} listener.
     *
     * @throws StartupException naming the listener when the address cannot be bound
     */
    Channel bind(ListenerSocket socket, HostPort address) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                // The client is not read until its backend is connected: nothing to buffer meanwhile.
                .childOption(ChannelOption.AUTO_READ, false)
                // TCP_NODELAY is Netty's default for every socket channel (set once, when it is built).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Read once: the flow keeps this listener's settings even if a reload comes.
                        Listener listener = socket.current();
                        ListenerConfig lc = listener.config();
                        ch.config().setWriteBufferWaterMark(waterMark(lc));
                        // The idle timeout is the flow's IdleCheck, not an IdleStateHandler (see there why).
                        QosRuntime qos = qosRuntime.get();
                        if (qos != null && qos.shaperFor(lc.name()) != null) {
                            // First, so that it sees the socket's bytes and can hold back the relay's reads.
                            ch.pipeline().addFirst(qos.shaperFor(lc.name()));
                        }
                        ProxiedFlow flow = new ProxiedFlow(listener, ch, telemetry.get().newFlow(ch));
                        if (lc.proxyProtocol() != ListenerConfig.ProxyProtocol.OFF) {
                            ProxyHeaderReader.addTo(ch.pipeline(), flow, lc);
                        }
                        SniFallbacks sniFallbacks = socket.sniFallbacks();
                        if (lc.key() == ListenerConfig.FlowKey.SNI && sniFallbacks != null) {
                            ch.pipeline().addLast(new SniPeeker(flow, sniFallbacks, lc.sniTimeout().toMillis()));
                        }
                        ch.pipeline().addLast(new RelayHandler(flow, ProxiedFlow.Side.CLIENT));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(address.host(), address.port())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new StartupException("listeners." + socket.name() + ".bind: cannot listen on " + address + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        // After Netty's acceptor, which passes accept errors (such as running out of file
        // descriptors) down the pipeline: report them through the control thread, not Netty's log.
        bound.channel().pipeline().addLast(new AcceptErrors(socket));
        return bound.channel();
    }

    /** The listener is live: accept what waits in the backlog and what comes. */
    static void startAccepting(Channel serverChannel) {
        serverChannel.config().setAutoRead(true);
    }

    private static final class AcceptErrors extends ChannelInboundHandlerAdapter {
        private final ListenerSocket socket;

        AcceptErrors(ListenerSocket socket) {
            this.socket = socket;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            socket.warnings().report("listener " + socket.name() + ": accept failed (Netty pauses accepting for 1s): " + cause);
        }
    }
}
