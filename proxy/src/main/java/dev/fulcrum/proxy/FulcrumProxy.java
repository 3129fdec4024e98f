package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.metrics.PrometheusRegistries;
import dev.fulcrum.proxy.ProxyStatus.BackendStatus;
import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.config.ValueParsers;
import dev.fulcrum.proxy.health.HealthChecks;
import dev.fulcrum.proxy.telemetry.Telemetry;
import dev.fulcrum.proxy.qos.QosRuntime;
import dev.fulcrum.proxy.qnet.TierFeedback;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * stopped again and a {@link StartupException} says which listener and why. {@link #reload} is
 * all-or-nothing too (see {@link ProxyReload}).
 *
 * <p>Threading: the pools and listeners are immutable maps replaced whole by a reload and read
 * through volatile fields; reloads and drain/undrain run one at a time ({@link #reloadLock}).
 */
public final class FulcrumProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FulcrumProxy.class);
    /** Fired into each client pipeline when the drain timeout runs out. */
    static final Object SHUTDOWN_EVENT = new Object();

    private final TransportKind transport;
    private final int eventLoops;
    private final EventLoopGroup group;
    private final PrometheusMeterRegistry registry;
    private final DataPlaneWarnings warnings = new DataPlaneWarnings();
    private final long startedNanos = System.nanoTime();
    final Object reloadLock = new Object();
    final ListenerBinder binder;
    final RetiredBackends retiredBackends;
    /** Listeners a reload removed whose flows are still open. */
    final List<ListenerSocket> retiredListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "fulcrum-reload");
        thread.setDaemon(true);
        return thread;
    });
    volatile FulcrumConfig config;
    volatile String checksum;
    volatile Map<String, Pool> pools = Map.of();
    volatile Map<String, ListenerSocket> listeners = Map.of();
    volatile ReloadResult lastReload;
    volatile long lastReloadSuccessMillis = System.currentTimeMillis();
    private ControlLoop controlLoop;
    HealthChecks healthChecks;
    private volatile QosRuntime qos;
    private AdminServer admin;
    private volatile Telemetry telemetry;
    private volatile DashboardSampler dashboard;
    private volatile TierFeedback tierFeedback;
    private ConfigWatcher watcher;
    private volatile String state = "starting";

    private FulcrumProxy(FulcrumConfig config) {
        this.config = config;
        this.checksum = ConfigChanges.checksum(config);
        this.transport = TransportKind.resolve(config.runtime().transport());
        int configured = config.runtime().eventLoops();
        this.eventLoops = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
        this.registry = PrometheusRegistries.create();
        ModelRegistry.global().bindMetrics(registry); // model info, load failures, inference time
        this.group = new MultiThreadIoEventLoopGroup(eventLoops, new DefaultThreadFactory("fulcrum-io"), transport.ioHandlerFactory());
        this.binder = new ListenerBinder(group, transport, () -> telemetry, () -> qos);
        this.retiredBackends = new RetiredBackends(this::allListenerSockets);
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
        qos = QosRuntime.create(config.qos(), registry);
        try {
            telemetry = Telemetry.start(config.telemetry(), group, transport.name().equals("epoll"), registry);
        } catch (java.io.UncheckedIOException e) {
            throw new StartupException(e.getMessage(), e);
        }
        Map<String, Pool> startPools = new LinkedHashMap<>();
        for (PoolConfig poolConfig : config.pools().values()) {
            Pool pool = Pool.create(poolConfig, registry);
            startPools.put(poolConfig.name(), pool);
            telemetry.addPool(poolConfig.name(), pool.backends());
        }
        pools = Collections.unmodifiableMap(startPools);
        Map<String, ListenerSocket> sockets = new LinkedHashMap<>();
        for (ListenerConfig lc : config.listeners().values()) {
            ListenerSocket socket = new ListenerSocket(lc.name(), warnings);
            socket.registerMeters(registry);
            socket.publish(new Listener(lc, pools.get(lc.pool()), binder.backendConnector(lc), socket));
            sockets.put(lc.name(), socket);
            listeners = Collections.unmodifiableMap(sockets); // so that close() finds what was bound
            socket.bound(binder.bind(socket, lc.bind()));
        }
        sockets.values().forEach(s -> ListenerBinder.startAccepting(s.serverChannel()));
        controlLoop = new ControlLoop(config.telemetry().tick(), warnings);
        controlLoop.addTask("telemetry", telemetry::tick);
        controlLoop.addTask("feature-driven policies", () -> FeaturePolicyTicks.tick(pools, telemetry.latest()));
        tierFeedback = new TierFeedback(registry, config.telemetry().tick(), telemetry::transitions);
        controlLoop.addTask("tier feedback and q-network", () -> tierFeedback.tick(policies(), telemetry.latest()));
        controlLoop.addTask("ejection", () -> pools.values().forEach(Pool::refreshEjections));
        controlLoop.addTask("retired backends and listeners", this::tickRetired);
        controlLoop.addTask("learned-hash drift", () -> dev.fulcrum.learned.hash.DriftMonitors.global().tick(System.nanoTime(), log::warn));
        healthChecks = HealthChecks.start(ProxyReload.healthTargets(pools), transport.ioHandlerFactory(), transport.channel(), registry);
        ProxyReload.registerMeters(this);
        if (qos != null) {
            controlLoop.addTask("qos", qos::tick);
        }
        if (config.admin().enabled()) {
            dashboard = new DashboardSampler(this, registry, config.telemetry().tick());
            controlLoop.addTask("dashboard", dashboard::tick); // last: it shows what the other tasks did this tick
        }
        if (config.admin().enabled()) {
            admin = AdminServer.start(config.admin().address(), transport.ioHandlerFactory(), transport.serverChannel(), this);
            if (!admin.address().getAddress().isLoopbackAddress() && config.admin().token() == null) {
                log.warn("the admin API listens on {}, not a loopback address, and has no token: anyone who reaches it may"
                        + " drain backends and reload (set admin.tokenFile or FULCRUM_ADMIN_TOKEN)", config.admin().address());
            }
        }
        if (config.source() != null) {
            watcher = ConfigWatcher.start(config.source(), this);
        }
        if (transport.name().equals("epoll") && !EpollRegistrationRepair.isAvailable()) {
            log.warn("transport epoll without the registration repair ({}): a half-closed flow may lose bytes"
                    + " (see EpollRegistrationRepair); use transport auto or nio", EpollRegistrationRepair.unavailabilityCause());
        }
        state = "running";
        // The bound addresses, so that a configuration binding port 0 can be found (the process tests do).
        log.info("Fulcrum {} started: transport {}, {} event loops, listeners {}, admin {}, configuration {}", Version.get(), transport.name(),
                eventLoops, listeners.values().stream().map(l -> l.name() + "@" + listenerAddress(l.name())).toList(),
                admin == null ? "off" : admin.address(), checksum);
    }

    private void tickRetired() {
        retiredBackends.tick();
        for (ListenerSocket socket : retiredListeners) {
            if (socket.openConnections() == 0) {
                retiredListeners.remove(socket);
                socket.removeGauge(registry);
            }
        }
    }

    List<ListenerSocket> allListenerSockets() {
        List<ListenerSocket> all = new ArrayList<>(listeners.values());
        all.addAll(retiredListeners);
        return all;
    }

    // ---- reload ----

    /**
     * Applies {@code next} to the running proxy, or refuses it and changes nothing. Runs one at a
     * time; callers on an event loop must use {@link #requestReload()} instead.
     */
    public ReloadResult reload(FulcrumConfig next) {
        return ProxyReload.apply(this, next);
    }

    /** Reads the configuration file again and applies it ({@link #reload(FulcrumConfig)}). */
    public ReloadResult reloadFromFile() {
        return ProxyReload.fromFile(this);
    }

    /**
     * Reloads the file on the reload thread (SIGHUP, {@code POST /api/reload} and the file watch
     * all come here, so reloads never overlap and never run on an event loop).
     */
    public CompletableFuture<ReloadResult> requestReload() {
        return CompletableFuture.supplyAsync(this::reloadFromFile, reloads);
    }

    /** The last reload's result, or {@code null} when there was none. */
    public ReloadResult lastReload() {
        return lastReload;
    }

    /** {@code sha256:...} of the running configuration's normalised form. */
    public String configChecksum() {
        return checksum;
    }

    void countReload(ReloadResult result) {
        ProxyReload.count(this, result);
    }

    DataPlaneWarnings warnings() {
        return warnings;
    }

    // ---- what the admin API and tests read ----

    /** The address a listener is bound to (its real port when the configured one was 0). */
    public InetSocketAddress listenerAddress(String name) {
        ListenerSocket listener = listeners.get(name);
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

    /** In-line telemetry: features, the stream, the dataset. */
    public Telemetry telemetry() {
        return telemetry;
    }

    /** Hierarchical feedback: what {@code GET /api/feedback} serves, children polled, q-network ticks. */
    public TierFeedback tierFeedback() {
        return tierFeedback;
    }

    private Map<String, dev.fulcrum.balancing.BalancingPolicy> policies() {
        Map<String, dev.fulcrum.balancing.BalancingPolicy> policies = new LinkedHashMap<>();
        pools.forEach((name, pool) -> policies.put(name, pool.policy()));
        return policies;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The bandwidth classes at run time, or null when none is configured. */
    public QosRuntime qos() {
        return qos;
    }

    public String transportName() {
        return transport.name();
    }

    int eventLoops() {
        return eventLoops;
    }

    long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    String state() {
        return state;
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
        synchronized (reloadLock) { // a reload copies the flag: it must not miss a change made meanwhile
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
            return ProxyViews.backendStatus(this, found, state);
        }
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
        return ProxyViews.status(this);
    }

    /** Every pool's backends with their totals, as {@code GET /api/backends} answers. */
    public ProxyViews.BackendsView backends() {
        return ProxyViews.backends(this);
    }

    /** What {@code GET /api/dashboard} answers: the control thread's last snapshot (null before start completes). */
    public dev.fulcrum.proxy.dashboard.DashboardView dashboard() {
        DashboardSampler sampler = dashboard;
        return sampler == null ? null : sampler.latest();
    }

    public boolean isRunning() {
        return "running".equals(state);
    }

    // ---- shutdown ----

    /**
     * Graceful shutdown's first half: stop accepting, let open flows finish for up to
     * {@code timeout}, then close those still open. Returns how many were cut.
     */
    public int drain(Duration timeout) throws InterruptedException {
        state = "draining";
        // Accepting stops first: the caller has just logged that it is stopping. Under the reload
        // lock, so a reload under way ends before (and one asked later is refused: not running).
        synchronized (reloadLock) {
            for (ListenerSocket listener : listeners.values()) {
                if (listener.serverChannel() != null) {
                    listener.serverChannel().close().awaitUninterruptibly();
                }
            }
        }
        if (watcher != null) {
            watcher.close();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (openFlows() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        int cut = openFlows();
        if (cut > 0) {
            log.warn("drain timeout ({}) ran out with {} flows open: closing them", ValueParsers.formatDuration(timeout), cut);
            for (ListenerSocket listener : allListenerSockets()) {
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
        for (ListenerSocket listener : allListenerSockets()) {
            open += listener.openConnections();
        }
        return open;
    }

    /** Stops everything at once (after {@link #drain} for a graceful stop). */
    @Override
    public void close() {
        state = "stopped";
        if (watcher != null) {
            watcher.close();
        }
        reloads.shutdownNow();
        synchronized (reloadLock) {
            for (ListenerSocket listener : allListenerSockets()) {
                if (listener.serverChannel() != null) {
                    listener.serverChannel().close().awaitUninterruptibly();
                }
                listener.clients().close().awaitUninterruptibly();
            }
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
        if (telemetry != null) {
            telemetry.close();
        }
        if (tierFeedback != null) {
            tierFeedback.close();
        }
        if (qos != null) {
            qos.close();
        }
        ModelRegistry.global().unbindMetrics(registry);
        registry.close();
    }
}
