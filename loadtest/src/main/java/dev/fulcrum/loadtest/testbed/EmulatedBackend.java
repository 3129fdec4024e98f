package dev.fulcrum.loadtest.testbed;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server standing in for one of the Aquarius testbed's Apache servers (Yao et al.,
 * MLSys@NeurIPS 2021, appendix B.2): {@code slots} workers (the paper's 2-CPU and 4-CPU groups),
 * each serving one request at a time; a request finding every slot busy waits in a FIFO queue of at
 * most {@code backlog}, beyond which it is answered 503 at once (the paper's backlog of 128 with
 * {@code tcp_abort_on_overflow}).
 *
 * <p>A request says how much work it is: {@code GET /?work=MICROS&bytes=N} takes {@code MICROS / speed}
 * microseconds of a slot and answers an {@code N}-byte body. The service time is a timer, not a
 * burnt CPU, so a testbed of many backends runs on two shared cores; the slot is held until the
 * body is written, as an Apache worker is.
 *
 * <p>The ground truth is served on a second port as one JSON object ({@link BackendStats}): busy
 * slots, queue length, utilisation (fraction of slot time busy over the last completed 250 ms
 * window, like CPU usage read from /proc/stat), requests served and rejected.
 *
 * <p>Threading: both servers' channels and all the accounting live on the one event loop given,
 * so nothing here is locked; other threads read the state through {@link #stats()}.
 */
public final class EmulatedBackend implements AutoCloseable {

    /** Replies are slices of one shared, never written, buffer: the largest reply of the file workload. */
    private static final byte[] BODY = new byte[5 * 1024 * 1024 + 1];
    private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    static {
        java.util.Arrays.fill(BODY, (byte) 'x');
    }

    private final String name;
    private final int slots;
    private final double speed;
    private final int backlog;
    private final EventLoop loop;
    private final Channel server;
    private final Channel statsServer;
    private final ScheduledFuture<?> window;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private int busy;
    private int maxBusy;
    private int maxQueue;
    private long served;
    private long rejected;
    private long busyNanos;
    private long lastChange = System.nanoTime();
    private long windowStartBusyNanos;
    private double utilisation;

    private record Job(ChannelHandlerContext ctx, long serviceNanos, int bytes, boolean keepAlive) {}

    /** Starts both servers on 127.0.0.1, ports chosen by the system. */
    public EmulatedBackend(String name, int slots, double speed, int backlog, EventLoop loop) throws InterruptedException {
        if (slots <= 0 || speed <= 0 || backlog < 0) {
            throw new IllegalArgumentException("slots " + slots + ", speed " + speed + ", backlog " + backlog
                    + " (expected: slots > 0, speed > 0, backlog >= 0)");
        }
        this.name = name;
        this.slots = slots;
        this.speed = speed;
        this.backlog = backlog;
        this.loop = loop;
        this.server = bind(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new WorkHandler());
            }
        });
        this.statsServer = bind(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new StatsHandler());
            }
        });
        this.window = loop.scheduleAtFixedRate(this::closeWindow, WINDOW_NANOS, WINDOW_NANOS, TimeUnit.NANOSECONDS);
    }

    private Channel bind(ChannelInitializer<SocketChannel> initializer) throws InterruptedException {
        return new ServerBootstrap().group(loop, loop)
                .channel(Transports.serverChannel())
                .childHandler(initializer)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public String name() {
        return name;
    }

    public int slots() {
        return slots;
    }

    public double speed() {
        return speed;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public InetSocketAddress statsAddress() {
        return (InetSocketAddress) statsServer.localAddress();
    }

    /** The ground truth now, read on the backend's event loop. */
    public BackendStats stats() {
        try {
            return loop.submit(this::snapshot).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading " + name + "'s stats", e);
        }
    }

    private BackendStats snapshot() {
        return new BackendStats(name, slots, speed, busy, queue.size(), utilisation, served, rejected, maxBusy, maxQueue);
    }

    private void setBusy(int next) {
        long now = System.nanoTime();
        busyNanos += busy * (now - lastChange);
        lastChange = now;
        busy = next;
        maxBusy = Math.max(maxBusy, busy);
    }

    private void closeWindow() {
        setBusy(busy);
        utilisation = (busyNanos - windowStartBusyNanos) / (double) (slots * WINDOW_NANOS);
        windowStartBusyNanos = busyNanos;
    }

    private void arrive(Job job) {
        if (busy < slots) {
            start(job);
        } else if (queue.size() < backlog) {
            queue.addLast(job);
            maxQueue = Math.max(maxQueue, queue.size());
        } else {
            rejected++;
            reply(job.ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.EMPTY_BUFFER, false);
        }
    }

    private void start(Job job) {
        setBusy(busy + 1);
        loop.schedule(() -> {
            if (!job.ctx.channel().isActive()) {
                finish();
                return;
            }
            reply(job.ctx, HttpResponseStatus.OK, Unpooled.wrappedBuffer(BODY, 0, job.bytes), job.keepAlive)
                    .addListener(f -> {
                        if (f.isSuccess()) {
                            served++;
                        }
                        finish();
                    });
        }, job.serviceNanos, TimeUnit.NANOSECONDS);
    }

    /** A slot is free: the oldest waiting request whose client is still there takes it. */
    private void finish() {
        setBusy(busy - 1);
        while (!queue.isEmpty()) {
            Job next = queue.pollFirst();
            if (next.ctx.channel().isActive()) {
                start(next);
                return;
            }
        }
    }

    private static ChannelFuture reply(ChannelHandlerContext ctx, HttpResponseStatus status, ByteBuf body, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        return written;
    }

    private final class WorkHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            long workMicros;
            int bytes;
            try {
                workMicros = Long.parseLong(first(query, "work", "0"));
                bytes = Integer.parseInt(first(query, "bytes", "0"));
                if (workMicros < 0 || bytes < 0 || bytes > BODY.length) {
                    throw new NumberFormatException("out of range");
                }
            } catch (NumberFormatException e) {
                String message = "query " + request.uri() + ": " + e.getMessage()
                        + " (expected: work=MICROS >= 0, bytes=N in 0.." + BODY.length + ")\n";
                reply(ctx, HttpResponseStatus.BAD_REQUEST, Unpooled.copiedBuffer(message, StandardCharsets.UTF_8), false);
                return;
            }
            arrive(new Job(ctx, (long) (workMicros * 1000 / speed), bytes, keepAlive));
        }

        private static String first(QueryStringDecoder query, String key, String absent) {
            List<String> values = query.parameters().get(key);
            return values == null || values.isEmpty() ? absent : values.get(0);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final class StatsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String json = snapshot().toJson() + "\n";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            ChannelFuture written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        window.cancel(false);
        server.close().syncUninterruptibly();
        statsServer.close().syncUninterruptibly();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(%d slots, speed %.2f, %s)", name, slots, speed, address());
    }
}
