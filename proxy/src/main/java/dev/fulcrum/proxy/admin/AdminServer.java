package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.StartupException;
import dev.fulcrum.proxy.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP API on its own event loop, so a slow scrape or a large status page never delays
 * a relayed byte. Routes are in {@link AdminHandler}.
 */
public final class AdminServer implements AutoCloseable {

    /** Admin requests are small; anything larger is refused with 413. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    /**
     * A connection that neither sends nor receives for this long is closed: a client that sends half
     * a request (or opens and waits) cannot hold an admin connection for ever. The stream's clients
     * receive a line every tick, so they are never idle.
     */
    static final java.time.Duration IDLE_TIMEOUT = java.time.Duration.ofSeconds(60);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static AdminServer start(HostPort address, IoHandlerFactory ioHandlerFactory,
            Class<? extends ServerSocketChannel> serverChannel, FulcrumProxy proxy) {
        return start(address, ioHandlerFactory, serverChannel, proxy, IDLE_TIMEOUT);
    }

    static AdminServer start(HostPort address, IoHandlerFactory ioHandlerFactory,
            Class<? extends ServerSocketChannel> serverChannel, FulcrumProxy proxy, java.time.Duration idleTimeout) {
        long idleMillis = idleTimeout.toMillis();
        AdminHandler handler = new AdminHandler(proxy); // first: it reads the dashboard's files, and may fail
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fulcrum-admin", true), ioHandlerFactory);
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(serverChannel)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                                new HttpServerCodec(), new JsonErrorsAggregator(), handler);
                    }
                })
                .bind(new InetSocketAddress(address.host(), address.port()))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new StartupException("admin.address: cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        return new AdminServer(group, bound.channel());
    }

    /** Netty's aggregator, answering a too-large request with a JSON 413 as every other error is answered. */
    private static final class JsonErrorsAggregator extends HttpObjectAggregator {
        JsonErrorsAggregator() {
            super(MAX_REQUEST_BYTES);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            FullHttpResponse response = AdminHandler.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request larger than " + MAX_REQUEST_BYTES + " bytes (expected: a small admin request)");
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
