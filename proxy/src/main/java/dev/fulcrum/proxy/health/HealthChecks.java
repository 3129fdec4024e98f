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
import java.util.HashMap;
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
 * checks.update(targetsAfterReload);
 * ...
 * checks.close();
 * }</pre>
 *
 * <p>Threading: {@link #start}, {@link #update} and {@link #close} are called by one thread at a
 * time (start-up, then the reload thread); {@link #state} by any.
 */
public final class HealthChecks implements AutoCloseable {

    /** One backend to check: where it is, how to check it, and the live state the result goes to. */
    public record Target(String pool, BackendState backend, InetSocketAddress address, HealthCheckConfig config) {

        /** A backend is the same one across reloads when its pool, name and address are. */
        String identity() {
            return pool + '\0' + backend.backend().name() + '\0' + backend.backend().address();
        }
    }

    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends Channel> channelClass;
    private final MeterRegistry registry;
    private EventLoopGroup group;
    private Bootstrap bootstrap;
    // By identity, for reloads; and by live state, for the status page (replaced whole, never changed).
    private final Map<String, BackendChecker> byIdentity = new HashMap<>();
    private volatile Map<BackendState, BackendChecker> byState = new IdentityHashMap<>();
    private volatile boolean closed;

    private HealthChecks(IoHandlerFactory ioHandlerFactory, Class<? extends Channel> channelClass, MeterRegistry registry) {
        this.ioHandlerFactory = ioHandlerFactory;
        this.channelClass = channelClass;
        this.registry = registry;
    }

    /** Starts checking every target; with no target, starts no thread (until a reload adds one). */
    public static HealthChecks start(List<Target> targets, IoHandlerFactory ioHandlerFactory,
            Class<? extends Channel> channelClass, MeterRegistry registry) {
        HealthChecks checks = new HealthChecks(ioHandlerFactory, channelClass, registry);
        checks.update(targets);
        return checks;
    }

    /**
     * Makes the checks follow a new set of targets: a backend that stays with the same checks keeps
     * its checker (its rise/fall run goes on) and its results go to its new state; one whose checks
     * changed gets a new checker that starts UP or DOWN as the old one was; removed backends are
     * no longer checked; new ones start UP, as at start-up.
     */
    public void update(List<Target> targets) {
        if (closed) {
            return;
        }
        Map<String, BackendChecker> kept = new HashMap<>();
        Map<BackendState, BackendChecker> states = new IdentityHashMap<>();
        List<BackendChecker> started = new java.util.ArrayList<>();
        for (Target target : targets) {
            BackendChecker old = byIdentity.remove(target.identity());
            BackendChecker checker;
            if (old != null && old.config().equals(target.config())) {
                old.retarget(target);
                checker = old;
            } else {
                if (old != null) {
                    old.stop();
                }
                checker = new BackendChecker(target, bootstrap(), group.next(), registry, this);
                if (old != null) {
                    checker.state().startFrom(old.state().isUp());
                    target.backend().setHealthy(old.state().isUp());
                }
                started.add(checker);
            }
            kept.put(target.identity(), checker);
            states.put(target.backend(), checker);
        }
        byIdentity.values().forEach(BackendChecker::stop);
        byIdentity.clear();
        byIdentity.putAll(kept);
        byState = states;
        // Started only once all are built, so the map is complete before any thread reads it.
        started.forEach(BackendChecker::scheduleFirst);
    }

    private Bootstrap bootstrap() {
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fulcrum-health", true), ioHandlerFactory);
            bootstrap = new Bootstrap()
                    .group(group)
                    .channel(channelClass)
                    .option(ChannelOption.TCP_NODELAY, true);
        }
        return bootstrap;
    }

    /** The rise/fall state of a backend, or {@code null} when its pool has no checks. */
    public HealthState state(BackendState backend) {
        BackendChecker checker = byState.get(backend);
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
