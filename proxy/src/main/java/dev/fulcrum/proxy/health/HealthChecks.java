package dev.fulcrum.proxy.health;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.config.HealthCheckConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The active health checks of every pool that has them, on one dedicated event loop
 * ({@code fulcrum-health}, the proxy's transport): non-blocking connects and HTTP GETs, so a slow
 * or dead backend never holds a thread, and nothing runs on the data plane's loops. A backend's
 * result reaches the data plane through {@link BackendState#setHealthy}, one volatile write.
 *
 * <pre>{@code
 * HealthChecks checks = HealthChecks.start(targets, transport.ioHandlerFactory(), transport.channel(), registry);
 * ...
 * checks.close();
 * }</pre>
 */
public final class HealthChecks implements AutoCloseable {

    /** One backend to check: where it is, how to check it, and the live state the result goes to. */
    public record Target(String pool, BackendState backend, InetSocketAddress address, HealthCheckConfig config) {
    }

    private final EventLoopGroup group;
    private final Map<BackendState, BackendChecker> checkers = new IdentityHashMap<>();
    private volatile boolean closed;

    private HealthChecks(EventLoopGroup group) {
        this.group = group;
    }

    /** Starts checking every target; with no target, starts no thread at all. */
    public static HealthChecks start(List<Target> targets, IoHandlerFactory ioHandlerFactory,
            Class<? extends Channel> channelClass, MeterRegistry registry) {
        if (targets.isEmpty()) {
            return new HealthChecks(null);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fulcrum-health", true), ioHandlerFactory);
        HealthChecks checks = new HealthChecks(group);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true);
        for (Target target : targets) {
            BackendChecker checker = new BackendChecker(target, bootstrap, group.next(), registry, checks);
            checks.checkers.put(target.backend(), checker);
        }
        // Started only once all are built, so the map is complete before any thread reads it.
        checks.checkers.values().forEach(BackendChecker::scheduleFirst);
        return checks;
    }

    /** The rise/fall state of a backend, or {@code null} when its pool has no checks. */
    public HealthState state(BackendState backend) {
        BackendChecker checker = checkers.get(backend);
        return checker == null ? null : checker.state();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
