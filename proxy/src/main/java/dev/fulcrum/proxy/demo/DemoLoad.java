package dev.fulcrum.proxy.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The demo's load: open loop, a fixed number of requests per second, each on a new connection
 * (so each is a new flow the balancer places), for a bounded time. It counts replies per backend
 * and their latency, and stops by itself.
 */
public final class DemoLoad implements AutoCloseable {

    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<String, LongAdder> byBackend = new ConcurrentHashMap<>();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong sent = new AtomicLong();
    private final Histogram latencyMicros = new ConcurrentHistogram(60_000_000L, 3);
    private ScheduledFuture<?> ticker;
    private volatile long stopAtNanos;

    public DemoLoad(InetSocketAddress target, EventLoopGroup group) {
        this.target = target;
        this.group = group;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /** Sends {@code perSecond} requests a second for {@code duration}, then stops. */
    public void start(int perSecond, Duration duration) {
        stopAtNanos = System.nanoTime() + duration.toNanos();
        long periodMicros = Math.max(1, 1_000_000L / perSecond);
        ticker = group.next().scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    public boolean isRunning() {
        return ticker != null && !ticker.isDone();
    }

    private void sendOne() {
        if (System.nanoTime() - stopAtNanos > 0) {
            ticker.cancel(false);
            return;
        }
        sent.incrementAndGet();
        long startNanos = System.nanoTime();
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                        new ReplyHandler(startNanos));
            }
        }).connect(target);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failed.increment();
                return;
            }
            Channel ch = connect.channel();
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
            request.headers().set(HttpHeaderNames.HOST, "demo");
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(request);
        });
    }

    private final class ReplyHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final long startNanos;
        private boolean answered;

        ReplyHandler(long startNanos) {
            this.startNanos = startNanos;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            answered = true;
            if (response.status().code() != 200) {
                failed.increment();
            } else {
                latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(),
                        TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos)));
                String backend = response.headers().get("X-Backend", "?");
                byBackend.computeIfAbsent(backend, b -> new LongAdder()).increment();
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!answered) {
                failed.increment();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.sum();
    }

    /** Successful replies per backend name. */
    public Map<String, Long> servedBy() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        byBackend.forEach((name, count) -> copy.put(name, count.sum()));
        return copy;
    }

    /** Latency percentile in milliseconds over all replies so far. */
    public double latencyMillis(double percentile) {
        return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }
}
