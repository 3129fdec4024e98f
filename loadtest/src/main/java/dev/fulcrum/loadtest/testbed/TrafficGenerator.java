package dev.fulcrum.loadtest.testbed;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop HTTP load with Poisson arrivals (the Aquarius traces, Yao et al. 2021, appendix B):
 * each arrival opens a new TCP connection, sends one {@code GET} of a {@link Workload} request
 * with {@code Connection: close} and reads the whole reply, so every request is one flow to the
 * load balancer in front. The flow completion time is measured at the client, from the arrival's
 * intended time to the last byte of the reply, into an HdrHistogram (microseconds): a late arrival
 * (this JVM stalled) counts its lateness, as it must in an open loop.
 *
 * <p>A pacing thread sleeps until each arrival and hands it to one event loop, which owns every
 * counter. At most {@code maxInFlight} requests are open; an arrival beyond that is counted as
 * dropped instead of opening sockets without bound. The run is bounded: arrivals stop after
 * {@code duration}, and requests still open {@code grace} later are counted as unfinished.
 */
public final class TrafficGenerator {

    private final InetSocketAddress target;
    private final Workload workload;
    private final double ratePerSecond;
    private final Duration duration;
    private final long seed;
    private final int maxInFlight;
    private final Histogram fctMicros = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private long arrivals;
    private long completed;
    private long failed;
    private long rejected;
    private long dropped;
    private int inFlight;
    private long bytes;

    public TrafficGenerator(InetSocketAddress target, Workload workload, double ratePerSecond, Duration duration, long seed) {
        this(target, workload, ratePerSecond, duration, seed, 4000);
    }

    TrafficGenerator(InetSocketAddress target, Workload workload, double ratePerSecond, Duration duration, long seed, int maxInFlight) {
        if (!(ratePerSecond > 0) || duration.isNegative() || duration.isZero() || maxInFlight <= 0) {
            throw new IllegalArgumentException("rate " + ratePerSecond + ", duration " + duration + ", maxInFlight "
                    + maxInFlight + " (expected: all > 0)");
        }
        this.target = target;
        this.workload = workload;
        this.ratePerSecond = ratePerSecond;
        this.duration = duration;
        this.seed = seed;
        this.maxInFlight = maxInFlight;
    }

    /** What one run measured; FCTs in milliseconds. */
    public record Result(String workload, double rate, double seconds, long arrivals, long completed, long failed,
                         long rejected, long dropped, long unfinished, long bytes, double fctMeanMillis,
                         double fctP50Millis, double fctP90Millis, double fctP99Millis, double fctMaxMillis) {}

    /** Runs the load (blocking for about {@code duration + grace}) and returns what it measured. */
    public Result run(Duration grace) throws InterruptedException {
        EventLoopGroup group = Transports.group(1);
        try {
            EventLoop loop = group.next();
            Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transports.channel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
            PoissonArrivals arrivalTimes = new PoissonArrivals(ratePerSecond, seed);
            SplittableRandom requests = new SplittableRandom(seed * 31 + 7);
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            while (true) {
                long intended = start + arrivalTimes.next();
                if (intended >= end) {
                    break;
                }
                Workload.Request request = workload.draw(requests);
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                loop.execute(() -> send(bootstrap, intended, request));
            }
            long graceEnd = System.nanoTime() + grace.toNanos();
            while (System.nanoTime() < graceEnd && onLoop(loop, () -> inFlight) > 0) {
                Thread.sleep(20);
            }
            return onLoop(loop, this::result);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> task) throws InterruptedException {
        try {
            return loop.submit(task).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void send(Bootstrap bootstrap, long intended, Workload.Request request) {
        arrivals++;
        if (inFlight >= maxInFlight) {
            dropped++;
            return;
        }
        inFlight++;
        Exchange exchange = new Exchange(intended);
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), exchange);
            }
        }).connect(target);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                exchange.end(false);
                return;
            }
            FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, request.path(), Unpooled.EMPTY_BUFFER);
            get.headers().set(HttpHeaderNames.HOST, target.getHostString());
            get.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            connect.channel().writeAndFlush(get);
        });
    }

    /** One request on its own connection; ends once, by the last reply byte or by the connection's end. */
    private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
        private final long intended;
        private int status;
        private boolean ended;

        Exchange(long intended) {
            this.intended = intended;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                status = response.decoderResult().isSuccess() ? response.status().code() : 0;
            }
            if (msg instanceof HttpContent content) {
                bytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                if (status == 503) {
                    rejected++;
                }
                end(status == 200);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        void end(boolean ok) {
            if (ended) {
                return;
            }
            ended = true;
            inFlight--;
            if (ok) {
                completed++;
                long micros = Math.max(0, (System.nanoTime() - intended) / 1000);
                fctMicros.recordValue(Math.min(fctMicros.getHighestTrackableValue(), micros));
            } else {
                failed++;
            }
        }
    }

    private Result result() {
        double millis = 1000.0;
        return new Result(workload.label(), ratePerSecond, duration.toMillis() / 1000.0, arrivals, completed, failed,
                rejected, dropped, inFlight, bytes, fctMicros.getMean() / millis,
                fctMicros.getValueAtPercentile(50) / millis, fctMicros.getValueAtPercentile(90) / millis,
                fctMicros.getValueAtPercentile(99) / millis, fctMicros.getMaxValue() / millis);
    }
}
