package dev.fulcrum.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load at a fixed rate (what wrk2 does; Debian ships no wrk2), over a fixed
 * set of keep-alive connections, on one event loop.
 *
 * <p>Request {@code i} is due at {@code start + i / rate} whatever happened before it. Its latency
 * is measured from that intended time, not from when it could be sent: when the target stalls,
 * requests queue here and their wait counts, so a stall is not hidden by the load generator
 * politely waiting (coordinated omission, Gil Tene, "How NOT to measure latency"). Each connection
 * carries one request at a time (no pipelining). Requests due during the warm-up are sent but not
 * recorded; the measured period starts on a fresh schedule once every warm-up request has been
 * answered: a backlog the generator built while its own JVM was still compiling (two generators
 * starting on one shared core fell seconds behind in their first seconds) is the generator's, and
 * carried over it had been a p99 of a second for any target, a direct connection included. How long
 * that drain took is reported ({@code warmupDrainMillis}). Prints one JSON object: percentiles in
 * microseconds, counts, errors, and the worst latency of each measured second.
 *
 * <p>With {@code --new-connection} every request opens a TCP connection of its own, sends
 * {@code Connection: close} and closes it when the response has arrived (one flow per request, a
 * proxy's per-flow cost at a fixed rate); CONNECTIONS is then how many may be open at once, and the
 * latency includes the connect.
 *
 * <pre>java -cp fulcrum-loadtest.jar dev.fulcrum.loadtest.FixedRateLatency HOST:PORT RATE CONNECTIONS SECONDS [WARMUP_SECONDS] [--new-connection]</pre>
 */
public final class FixedRateLatency {

    private final InetSocketAddress target;
    private final double ratePerSecond;
    private final int connections;
    private final long warmupNanos;
    private final long measureNanos;
    /** One TCP connection per request (Connection: close) instead of a fixed set of keep-alive ones. */
    private final boolean newConnectionEach;
    private final Histogram latencyMicros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    /** The worst latency of the requests due in each second of the measured period: where a tail comes from. */
    private final long[] maxMicrosBySecond;
    /** Intended send times of requests due but not yet sent (no idle connection). */
    private final ArrayDeque<Long> due = new ArrayDeque<>();
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    /** Every connection made, to find requests still in flight at the end. */
    private final List<Connection> all = new ArrayList<>();
    private final String host;
    private EventLoop loop;
    private Bootstrap bootstrap;
    /** When the measured schedule starts; requests intended before it are the warm-up's, not recorded. */
    private volatile long measureStartNanos = Long.MAX_VALUE;
    private long warmupDrainNanos;
    private boolean warmupDrained = true;
    private long sent;
    private long completed;
    private long errors;
    private boolean stopped;

    FixedRateLatency(InetSocketAddress target, double ratePerSecond, int connections, double warmupSeconds, double seconds) {
        this(target, ratePerSecond, connections, warmupSeconds, seconds, false);
    }

    FixedRateLatency(InetSocketAddress target, double ratePerSecond, int connections, double warmupSeconds, double seconds,
            boolean newConnectionEach) {
        if (ratePerSecond <= 0 || connections <= 0 || seconds <= 0 || warmupSeconds < 0) {
            throw new IllegalArgumentException("rate " + ratePerSecond + ", connections " + connections + ", seconds "
                    + seconds + ", warm-up " + warmupSeconds + " (expected: all > 0, warm-up >= 0)");
        }
        this.target = target;
        this.ratePerSecond = ratePerSecond;
        this.connections = connections;
        this.warmupNanos = (long) (warmupSeconds * 1e9);
        this.measureNanos = (long) (seconds * 1e9);
        this.host = target.getHostString() + ":" + target.getPort();
        this.newConnectionEach = newConnectionEach;
        this.maxMicrosBySecond = new long[(int) Math.ceil(seconds)];
    }

    /**
     * One connection (with {@code --new-connection}: one slot for a connection at a time): sends a
     * request when handed one, reports when its response has fully arrived.
     */
    private final class Connection {
        private Channel channel;
        private long intendedNanos;
        private boolean ok;

        void send(long intended) {
            intendedNanos = intended;
            ok = false;
            sent++;
            if (newConnectionEach) {
                connectAndSend(this);
            } else {
                write();
            }
        }

        void write() {
            FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
            get.headers().set(HttpHeaderNames.HOST, host);
            if (newConnectionEach) {
                get.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            Channel ch = channel;
            ch.writeAndFlush(get).addListener(f -> {
                if (!f.isSuccess()) {
                    ch.close();
                }
            });
        }
    }

    /** The handler of one channel (a handler cannot be added to a second pipeline): passes its response to its connection. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Connection connection;

        ResponseHandler(Connection connection) {
            this.connection = connection;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                connection.ok = response.status().code() < 400 && response.decoderResult().isSuccess();
            }
            if (msg instanceof LastHttpContent) {
                finished(connection, connection.intendedNanos, connection.ok);
                if (newConnectionEach) {
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (stopped) {
                return;
            }
            if (newConnectionEach) {
                if (ctx.channel() != connection.channel) {
                    return; // an earlier request's connection, closed after its response
                }
                // Closed before its response was complete: a failed request; the slot takes the next.
                if (connection.intendedNanos != 0) {
                    finished(connection, connection.intendedNanos, false);
                }
                return;
            }
            errors++;
            if (connection.intendedNanos != 0) {
                requeue(connection.intendedNanos);
                connection.intendedNanos = 0;
            }
            connect(new Connection());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Runs the load and returns the report as one JSON object. */
    String run() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            loop = group.next();
            bootstrap = new Bootstrap().group(loop)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
            loop.submit(() -> {
                for (int i = 0; i < connections; i++) {
                    if (newConnectionEach) {
                        Connection slot = new Connection();
                        all.add(slot);
                        idle.addLast(slot);
                    } else {
                        connect(new Connection());
                    }
                }
            }).sync();
            // Give the connections a moment to be established before the first request is due.
            Thread.sleep(200);
            if (warmupNanos > 0) {
                long warmupEnd = pace(System.nanoTime(), warmupNanos);
                warmupDrained = drain(TimeUnit.SECONDS.toNanos(30));
                warmupDrainNanos = Math.max(0, System.nanoTime() - warmupEnd);
            }
            measureStartNanos = System.nanoTime();
            pace(measureStartNanos, measureNanos);
            // Let the last requests finish (up to 5 s); whatever is still waiting then is recorded as is.
            drain(TimeUnit.SECONDS.toNanos(5));
            return loop.submit(this::stopAndReport).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private void connect(Connection connection) {
        if (!all.contains(connection)) {
            all.add(connection);
        }
        newChannel(connection).connect(target).addListener(f -> {
            if (stopped) {
                return;
            }
            if (f.isSuccess()) {
                connection.channel = ((io.netty.channel.ChannelFuture) f).channel();
                connection.intendedNanos = 0;
                becameIdle(connection);
            } else {
                errors++;
                loop.schedule(() -> connect(connection), 100, TimeUnit.MILLISECONDS);
            }
        });
    }

    private Bootstrap newChannel(Connection connection) {
        return bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new ResponseHandler(connection));
            }
        });
    }

    /** {@code --new-connection}: a connection for this request alone; a failed connect is a failed request. */
    private void connectAndSend(Connection connection) {
        io.netty.channel.ChannelFuture connect = newChannel(connection).connect(target);
        connection.channel = connect.channel();
        connect.addListener(f -> {
            if (stopped) {
                return;
            }
            if (f.isSuccess()) {
                connection.write();
            } else if (connection.intendedNanos != 0) {
                finished(connection, connection.intendedNanos, false);
            }
        });
    }

    /**
     * Paces the requests from a thread of its own: it sleeps until each request's intended time and
     * hands it to the event loop, which sends it on an idle connection or queues it. (Timers on the
     * event loop itself proved too coarse at sub-millisecond intervals.) Lateness of this thread or
     * of the loop counts in the latency, as it must, and is the same for every target.
     */
    private long pace(long start, long durationNanos) {
        long end = start + durationNanos;
        double nanosPerRequest = 1e9 / ratePerSecond;
        for (long i = 0; ; i++) {
            long intended = start + (long) (i * nanosPerRequest);
            if (intended >= end) {
                return end;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            loop.execute(() -> dispatch(intended));
        }
    }

    /** Waits up to the limit until every request sent so far is answered and none waits; true if so. */
    private boolean drain(long limitNanos) throws InterruptedException, java.util.concurrent.ExecutionException {
        long deadline = System.nanoTime() + limitNanos;
        while (!loop.submit(() -> due.isEmpty() && sent == completed).get()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private void dispatch(long intended) {
        if (stopped) {
            return;
        }
        Connection connection = idle.pollFirst();
        if (connection != null) {
            connection.send(intended);
        } else {
            due.addLast(intended);
        }
    }

    private void finished(Connection connection, long intendedNanos, boolean ok) {
        long now = System.nanoTime();
        connection.intendedNanos = 0;
        completed++;
        if (!ok) {
            errors++;
        }
        record(now, intendedNanos);
        becameIdle(connection);
    }

    private void becameIdle(Connection connection) {
        if (!due.isEmpty()) {
            connection.send(due.pollFirst());
        } else {
            idle.addLast(connection);
        }
    }

    private void requeue(long intendedNanos) {
        sent--;
        due.addFirst(intendedNanos);
    }

    private String stopAndReport() {
        stopped = true;
        long now = System.nanoTime();
        // Requests still waiting or in flight at the end count with the time they have waited so
        // far: dropping them would hide exactly the stalls this tool is for.
        long unfinished = due.size() + (sent - completed);
        for (long intended : due) {
            record(now, intended);
        }
        for (Connection connection : all) {
            if (connection.intendedNanos != 0) {
                record(now, connection.intendedNanos);
            }
        }
        double seconds = measureNanos / 1e9;
        return String.format(Locale.ROOT,
                "{\"target\":\"%s\",\"rate\":%.1f,\"connections\":%d,\"seconds\":%.1f,\"recorded\":%d,\"completed\":%d,"
                        + "\"unfinished\":%d,\"errors\":%d,\"achievedRate\":%.1f,\"p50Micros\":%d,\"p90Micros\":%d,"
                        + "\"p99Micros\":%d,\"p999Micros\":%d,\"maxMicros\":%d,\"maxMicrosBySecond\":%s,"
                        + "\"warmupDrainMillis\":%d,\"warmupDrained\":%b}",
                target.getHostString() + ":" + target.getPort(), ratePerSecond, connections, seconds,
                latencyMicros.getTotalCount(), completed, unfinished, errors, latencyMicros.getTotalCount() / seconds,
                latencyMicros.getValueAtPercentile(50), latencyMicros.getValueAtPercentile(90),
                latencyMicros.getValueAtPercentile(99), latencyMicros.getValueAtPercentile(99.9), latencyMicros.getMaxValue(),
                java.util.Arrays.toString(maxMicrosBySecond).replace(" ", ""), warmupDrainNanos / 1_000_000, warmupDrained);
    }

    private void record(long now, long intended) {
        if (intended >= measureStartNanos) {
            long sinceMeasuring = intended - measureStartNanos;
            long micros = Math.min(latencyMicros.getHighestTrackableValue(), Math.max(0, (now - intended) / 1000));
            latencyMicros.recordValue(micros);
            int second = (int) Math.min(maxMicrosBySecond.length - 1, sinceMeasuring / 1_000_000_000L);
            maxMicrosBySecond[second] = Math.max(maxMicrosBySecond[second], micros);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        boolean newConnection = args.length > 0 && "--new-connection".equals(args[args.length - 1]);
        if (newConnection) {
            args = java.util.Arrays.copyOf(args, args.length - 1);
        }
        if (args.length < 4) {
            System.err.println("usage: FixedRateLatency HOST:PORT RATE CONNECTIONS SECONDS [WARMUP_SECONDS] [--new-connection]");
            System.exit(2);
        }
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)));
        FixedRateLatency load = new FixedRateLatency(target, Double.parseDouble(args[1]), Integer.parseInt(args[2]),
                args.length > 4 ? Double.parseDouble(args[4]) : 1, Double.parseDouble(args[3]), newConnection);
        System.out.println(load.run());
    }
}
