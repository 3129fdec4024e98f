package dev.fulcrum.proxy.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP backend for the demo: answers every request after a fixed service time, scheduled
 * on its event loop (emulated, not burned, so three of them fit on a laptop). The reply names the
 * backend in {@code X-Backend}, so the demo can show where the balancer sent each request.
 */
public final class DemoBackend implements AutoCloseable {

    private final String name;
    private final Duration serviceTime;
    private final Channel channel;
    private final AtomicLong served = new AtomicLong();

    private DemoBackend(String name, Duration serviceTime, EventLoopGroup group) {
        this.name = name;
        this.serviceTime = serviceTime;
        Responder responder = new Responder();
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), responder);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    /** Starts a backend on a free loopback port. */
    public static DemoBackend start(String name, Duration serviceTime, EventLoopGroup group) {
        return new DemoBackend(name, serviceTime, group);
    }

    public String name() {
        return name;
    }

    public Duration serviceTime() {
        return serviceTime;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public long served() {
        return served.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            ctx.executor().schedule(() -> {
                long n = served.incrementAndGet();
                byte[] body = ("served by " + name + " (service time " + serviceTime.toMillis() + " ms), request #" + n + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(body));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                response.headers().set("X-Backend", name);
                HttpUtil.setKeepAlive(response, keepAlive);
                var written = ctx.writeAndFlush(response);
                if (!keepAlive) {
                    written.addListener(ChannelFutureListener.CLOSE);
                }
            }, serviceTime.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
