package dev.fulcrum.proxy.health;

import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.proxy.config.HealthCheckConfig;
import dev.fulcrum.proxy.config.ValueParsers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one backend, one check at a time, forever: connect (and for http, GET the path and read
 * the status line), record the result in its {@link HealthState}, publish UP/DOWN to the backend,
 * schedule the next. Everything runs on one health event loop, so no field needs a lock.
 */
final class BackendChecker {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    // Replaced by a reload that keeps the backend (a new state object); read and written on `loop` only.
    private HealthChecks.Target target;
    private final HealthCheckConfig config;
    private final HealthState state;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final HealthChecks owner;
    private final Counter passed;
    private final Counter failed;
    private final Counter timedOut;
    private final long intervalNanos;
    private volatile boolean stopped;

    BackendChecker(HealthChecks.Target target, Bootstrap bootstrap, EventLoop loop, MeterRegistry registry, HealthChecks owner) {
        this.target = target;
        this.config = target.config();
        this.state = new HealthState(config.rise(), config.fall());
        this.loop = loop;
        this.owner = owner;
        this.intervalNanos = config.interval().toNanos();
        // The connect timeout only stops Netty's own attempt; the check's timeout below covers the answer too.
        this.bootstrap = bootstrap.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
        Tags tags = Tags.of(MeterNames.TAG_POOL, target.pool(), MeterNames.TAG_BACKEND, target.backend().backend().name());
        passed = registry.counter(MeterNames.BACKEND_HEALTH_CHECKS, tags.and(MeterNames.TAG_RESULT, "pass"));
        failed = registry.counter(MeterNames.BACKEND_HEALTH_CHECKS, tags.and(MeterNames.TAG_RESULT, "fail"));
        timedOut = registry.counter(MeterNames.BACKEND_HEALTH_CHECKS, tags.and(MeterNames.TAG_RESULT, "timeout"));
    }

    HealthState state() {
        return state;
    }

    HealthCheckConfig config() {
        return config;
    }

    /**
     * A reload kept the backend and its checks: results go to its new state from now on, and the
     * new state gets this checker's view at once (a flip recorded on the old state in between
     * would otherwise be lost).
     */
    void retarget(HealthChecks.Target next) {
        loop.execute(() -> {
            target = next;
            next.backend().setHealthy(state.isUp());
        });
    }

    /** A reload removed the backend or changed its checks: no more checks from this checker. */
    void stop() {
        stopped = true;
    }

    /** The first check at a random point of the first interval, so a pool's backends are not checked in lockstep. */
    void scheduleFirst() {
        schedule(ThreadLocalRandom.current().nextLong(intervalNanos));
    }

    private void schedule(long delayNanos) {
        if (owner.isClosed() || stopped) {
            return;
        }
        try {
            loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The proxy is closing: no more checks.
        }
    }

    private void check() {
        if (owner.isClosed() || stopped) {
            return;
        }
        Attempt attempt = new Attempt(System.nanoTime());
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (config.type() == HealthCheckConfig.Type.HTTP) {
                    ch.pipeline().addLast(new HttpClientCodec(), new StatusReader(attempt));
                }
            }
        });
        ChannelFuture connect = b.connect(target.address());
        attempt.channel = connect.channel();
        attempt.timer = loop.schedule(() -> attempt.finish(Result.TIMEOUT,
                "no answer within " + ValueParsers.formatDuration(config.timeout())), config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        connect.addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                boolean timeout = future.cause() instanceof ConnectTimeoutException;
                attempt.finish(timeout ? Result.TIMEOUT : Result.FAIL, "connect failed: " + future.cause().getMessage());
            } else if (config.type() == HealthCheckConfig.Type.TCP) {
                attempt.finish(Result.PASS, "connected");
            } else {
                future.channel().writeAndFlush(request()).addListener((ChannelFutureListener) written -> {
                    if (!written.isSuccess()) {
                        attempt.finish(Result.FAIL, "request failed: " + written.cause().getMessage());
                    }
                });
            }
        });
    }

    private FullHttpRequest request() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path(), Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, target.backend().backend().address())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, "fulcrum-health");
        return request;
    }

    private void recorded(Result result, String detail) {
        switch (result) {
            case PASS -> passed.increment();
            case FAIL -> failed.increment();
            case TIMEOUT -> timedOut.increment();
        }
        if (state.record(result == Result.PASS)) {
            target.backend().setHealthy(state.isUp());
            String backend = target.backend().backend().name();
            String address = target.backend().backend().address();
            if (state.isUp()) {
                log.info("pool {}: backend {} ({}) is UP after {} passed health checks", target.pool(), backend, address,
                        state.consecutivePasses());
            } else {
                log.warn("pool {}: backend {} ({}) is DOWN after {} failed health checks (last: {}); it takes no new flows,"
                        + " its open flows go on", target.pool(), backend, address, state.consecutiveFailures(), detail);
            }
        }
    }

    private enum Result { PASS, FAIL, TIMEOUT }

    /** One check in flight; only its first outcome counts (a timeout and a late answer may both come). */
    private final class Attempt {
        final long startNanos;
        Channel channel;
        ScheduledFuture<?> timer;
        boolean done;

        Attempt(long startNanos) {
            this.startNanos = startNanos;
        }

        void finish(Result result, String detail) {
            if (!loop.inEventLoop()) {
                // A channel that could not be registered fails its connect on Netty's global executor.
                loop.execute(() -> finish(result, detail));
                return;
            }
            if (done) {
                return;
            }
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
            if (owner.isClosed() || stopped) {
                return;
            }
            recorded(result, detail);
            // Starts an interval apart (plus up to 10% jitter), never overlapping: timeout < interval.
            long jitter = ThreadLocalRandom.current().nextLong(intervalNanos / 10 + 1);
            schedule(Math.max(0, startNanos + intervalNanos + jitter - System.nanoTime()));
        }
    }

    /** Reads the status line of the answer; the rest is released unread (SimpleChannelInboundHandler). */
    private final class StatusReader extends SimpleChannelInboundHandler<HttpObject> {
        private final Attempt attempt;

        StatusReader(Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpResponse response)) {
                return;
            }
            if (response.decoderResult().isFailure()) {
                attempt.finish(Result.FAIL, "not an HTTP answer: " + response.decoderResult().cause().getMessage());
                return;
            }
            int status = response.status().code();
            attempt.finish(config.expects(status) ? Result.PASS : Result.FAIL, "status " + status);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            attempt.finish(Result.FAIL, "closed before answering");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.finish(Result.FAIL, cause.toString());
        }
    }
}
