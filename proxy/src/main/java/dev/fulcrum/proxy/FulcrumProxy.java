package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.metrics.PrometheusRegistries;
import dev.fulcrum.proxy.ProxyStatus.BackendStatus;
import dev.fulcrum.proxy.ProxyStatus.HealthStatus;
import dev.fulcrum.proxy.ProxyStatus.ListenerStatus;
import dev.fulcrum.proxy.ProxyStatus.PoolStatus;
import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.ValueParsers;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.health.HealthChecks;
import dev.fulcrum.proxy.health.HealthState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fulcrum: event loops, listeners, pools, the admin API and the control thread.
 *
 * <pre>{@code
 * try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(Path.of("fulcrum.yaml")))) {
 *     proxy.awaitShutdownSignal();
 * }
 * }</pre>
 *
 * {@link #start} binds everything or nothing: if one listener cannot bind, what was started is
 * stopped again and a {@link StartupException} says which listener and why.
 */
public final class FulcrumProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FulcrumProxy.class);
    /** Fired into each client pipeline when the drain timeout runs out. */
    static final Object SHUTDOWN_EVENT = new Object();

    private final FulcrumConfig config;
    private final TransportKind transport;
    private final int eventLoops;
    private final EventLoopGroup group;
    private final PrometheusMeterRegistry registry;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final DataPlaneWarnings warnings = new DataPlaneWarnings();
    private final long startedNanos = System.nanoTime();
    private ControlLoop controlLoop;
    private HealthChecks healthChecks;
    private AdminServer admin;
    private volatile String state = "starting";

    private FulcrumProxy(FulcrumConfig config) {
        this.config = config;
        this.transport = TransportKind.resolve(config.runtime().transport());
        int configured = config.runtime().eventLoops();
        this.eventLoops = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
        this.registry = PrometheusRegistries.create();
        ModelRegistry.global().bindMetrics(registry); // model info, load failures, inference time
        this.group = new MultiThreadIoEventLoopGroup(eventLoops, new DefaultThreadFactory("fulcrum-io"), transport.ioHandlerFactory());
    }

    /** Starts Fulcrum as configured, or throws with nothing left running. */
    public static FulcrumProxy start(FulcrumConfig config) {
        FulcrumProxy proxy = new FulcrumProxy(config);
        try {
            proxy.startAll();
            return proxy;
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    private void startAll() {
        for (PoolConfig poolConfig : config.pools().values()) {
            pools.put(poolConfig.name(), Pool.create(poolConfig, registry));
        }
        for (ListenerConfig listenerConfig : config.listeners().values()) {
            Listener listener = new Listener(listenerConfig, pools.get(listenerConfig.pool()),
                    backendBootstrap(listenerConfig), warnings, registry);
            listeners.put(listenerConfig.name(), listener);
            bind(listener);
        }
        controlLoop = new ControlLoop(config.telemetry().tick(), warnings);
        healthChecks = HealthChecks.start(healthTargets(), transport.ioHandlerFactory(), transport.channel(), registry);
        if (config.admin().enabled()) {
            admin = AdminServer.start(config.admin().address(), transport.ioHandlerFactory(), transport.serverChannel(), this);
        }
        if (transport.name().equals("epoll") && !EpollRegistrationRepair.isAvailable()) {
            log.warn("transport epoll without the registration repair ({}): a half-closed flow may lose bytes"
                    + " (see EpollRegistrationRepair); use transport auto or nio", EpollRegistrationRepair.unavailabilityCause());
        }
        state = "running";
        log.info("Fulcrum {} started: transport {}, {} event loops, listeners {}", Version.get(), transport.name(),
                eventLoops, listeners.values().stream().map(l -> l.name() + "@" + listenerAddress(l.name())).toList());
    }

    private List<HealthChecks.Target> healthTargets() {
        List<HealthChecks.Target> targets = new ArrayList<>();
        for (Pool pool : pools.values()) {
            if (pool.config().health() != null) {
                for (BackendState b : pool.backends().states()) {
                    targets.add(new HealthChecks.Target(pool.name(), b, pool.address(b), pool.config().health()));
                }
            }
        }
        return targets;
    }

    private Bootstrap backendBootstrap(ListenerConfig listener) {
        return new Bootstrap()
                .channel(transport.channel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, listener.connectTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(listener));
    }

    private static WriteBufferWaterMark waterMark(ListenerConfig listener) {
        return new WriteBufferWaterMark(listener.writeBuffer().low(), listener.writeBuffer().high());
    }

    private void bind(Listener listener) {
        ListenerConfig lc = listener.config();
        long idleMillis = lc.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // The client is not read until its backend is connected: nothing to buffer meanwhile.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(lc))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (idleMillis > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                        }
                        ProxiedFlow flow = new ProxiedFlow(listener, ch);
                        if (lc.proxyProtocol() != ListenerConfig.ProxyProtocol.OFF) {
                            ProxyHeaderReader.addTo(ch.pipeline(), flow, lc);
                        }
                        ch.pipeline().addLast(new RelayHandler(flow, ProxiedFlow.Side.CLIENT));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(lc.bind().host(), lc.bind().port())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new StartupException("listeners." + lc.name() + ".bind: cannot listen on " + lc.bind() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        // After Netty's acceptor, which passes accept errors (such as running out of file
        // descriptors) down the pipeline: report them through the control thread, not Netty's log.
        bound.channel().pipeline().addLast(new AcceptErrors(listener));
        listener.bound(bound.channel());
    }

    private static final class AcceptErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final Listener listener;

        AcceptErrors(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            listener.warnings().report("listener " + listener.name() + ": accept failed (Netty pauses accepting for 1s): " + cause);
        }
    }

    /** The address a listener is bound to (its real port when the configured one was 0). */
    public InetSocketAddress listenerAddress(String name) {
        Listener listener = listeners.get(name);
        if (listener == null || listener.serverChannel() == null) {
            throw new IllegalArgumentException("listener: " + name + " (expected one of " + listeners.keySet() + ")");
        }
        return (InetSocketAddress) listener.serverChannel().localAddress();
    }

    /** The admin API's address, or {@code null} when it is off. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public FulcrumConfig config() {
        return config;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String transportName() {
        return transport.name();
    }

    /** Flows ended on a listener for a reason, as counted by {@code fulcrum_flows_ended_total}. */
    public long flowsEnded(String listener, EndReason reason) {
        return listeners.get(listener).endedCount(reason);
    }

    public int openConnections(String listener) {
        return listeners.get(listener).openConnections();
    }

    /**
     * Drains a backend (no new flows; open ones continue) or takes it back. Returns its status
     * after the change, or {@code null} when the pool or backend does not exist.
     */
    public BackendStatus setDraining(String pool, String backend, boolean draining) {
        Pool found = pools.get(pool);
        BackendState state = found == null ? null : found.backends().byName(backend);
        if (state == null) {
            return null;
        }
        if (state.isDraining() != draining) {
            state.setDraining(draining);
            log.info("pool {} backend {}: {} ({} open flows)", pool, backend, draining ? "draining" : "taking new flows again",
                    state.activeFlows());
        }
        return backendStatus(found, state);
    }

    private BackendStatus backendStatus(Pool pool, BackendState b) {
        String backendState = b.isDraining() ? "draining" : b.isHealthy() ? "up" : "down";
        return new BackendStatus(b.backend().name(), b.backend().address(), b.weight(),
                backendState, b.activeFlows(), b.backend().maxConnections(), healthStatus(pool, b));
    }

    /** A backend's live state, for operators' tools and tests. */
    public BackendState backend(String pool, String backend) {
        return pools.get(pool).backends().byName(backend);
    }

    /**
     * Bytes the proxy holds queued for all flows of a listener, both ways, read on each flow's
     * event loop. For the status page and tests; not cheap with many flows.
     */
    public long bufferedBytes(String listener) throws InterruptedException {
        long total = 0;
        for (Channel client : listeners.get(listener).clients()) {
            RelayHandler relay = client.pipeline().get(RelayHandler.class);
            if (relay == null) {
                continue;
            }
            Future<Long> pending = client.eventLoop().submit(() -> relay.flow().bufferedBytes());
            try {
                total += pending.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("could not read the buffered bytes of " + client, e);
            }
        }
        return total;
    }

    /** The client sockets a listener holds open now; for diagnostics and tests. */
    List<Channel> clientChannels(String listener) {
        return new ArrayList<>(listeners.get(listener).clients());
    }

    /** One line per open flow of a listener, read on each flow's event loop; for diagnostics. */
    public List<String> describeFlows(String listener) throws InterruptedException {
        List<String> flows = new ArrayList<>();
        for (Channel client : listeners.get(listener).clients()) {
            RelayHandler relay = client.pipeline().get(RelayHandler.class);
            if (relay != null) {
                try {
                    flows.add(client.eventLoop().submit(() -> relay.flow().toString()).get(5, TimeUnit.SECONDS));
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    flows.add(client + ": " + e);
                }
            }
        }
        return flows;
    }

    public ProxyStatus status() {
        List<ListenerStatus> listenerStatuses = new ArrayList<>();
        for (Listener l : listeners.values()) {
            String address = l.serverChannel() == null ? l.config().bind().toString() : String.valueOf(l.serverChannel().localAddress());
            listenerStatuses.add(new ListenerStatus(l.name(), address, l.pool().name(), l.openConnections(),
                    l.config().maxConnections(), l.acceptedCount(), l.endedCount(EndReason.LISTENER_FULL)));
        }
        List<PoolStatus> poolStatuses = new ArrayList<>();
        for (Pool pool : pools.values()) {
            List<BackendStatus> backends = new ArrayList<>();
            for (BackendState b : pool.backends().states()) {
                backends.add(backendStatus(pool, b));
            }
            poolStatuses.add(new PoolStatus(pool.name(), pool.config().policy().type(), backends));
        }
        return new ProxyStatus(Version.get(), state, transport.name(), eventLoops,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), listenerStatuses, poolStatuses);
    }

    private HealthStatus healthStatus(Pool pool, BackendState backend) {
        HealthState health = healthChecks == null ? null : healthChecks.state(backend);
        if (health == null) {
            return null;
        }
        return new HealthStatus(pool.config().health().type().configName(), health.isUp() ? "up" : "down",
                health.consecutivePasses(), health.consecutiveFailures(), health.rise(), health.fall());
    }

    public boolean isRunning() {
        return "running".equals(state);
    }

    /**
     * Graceful shutdown's first half: stop accepting, let open flows finish for up to
     * {@code timeout}, then close those still open. Returns how many were cut.
     */
    public int drain(Duration timeout) throws InterruptedException {
        state = "draining";
        for (Listener listener : listeners.values()) {
            if (listener.serverChannel() != null) {
                listener.serverChannel().close().awaitUninterruptibly();
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (openFlows() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        int cut = openFlows();
        if (cut > 0) {
            log.warn("drain timeout ({}) ran out with {} flows open: closing them", ValueParsers.formatDuration(timeout), cut);
            for (Listener listener : listeners.values()) {
                for (Channel client : listener.clients()) {
                    client.eventLoop().execute(() -> client.pipeline().fireUserEventTriggered(SHUTDOWN_EVENT));
                }
            }
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (openFlows() > 0 && System.nanoTime() - closeDeadline < 0) {
                Thread.sleep(10);
            }
        }
        return cut;
    }

    private int openFlows() {
        int open = 0;
        for (Listener listener : listeners.values()) {
            open += listener.openConnections();
        }
        return open;
    }

    /** Stops everything at once (after {@link #drain} for a graceful stop). */
    @Override
    public void close() {
        state = "stopped";
        for (Listener listener : listeners.values()) {
            if (listener.serverChannel() != null) {
                listener.serverChannel().close().awaitUninterruptibly();
            }
            listener.clients().close().awaitUninterruptibly();
        }
        if (admin != null) {
            admin.close();
        }
        if (healthChecks != null) {
            healthChecks.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        if (controlLoop != null) {
            controlLoop.close();
        }
        ModelRegistry.global().unbindMetrics(registry);
        registry.close();
    }
}
