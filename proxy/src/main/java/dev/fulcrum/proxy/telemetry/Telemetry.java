package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.config.TelemetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-line telemetry (issue 5; Aquarius, Yao et al. 2021, section 4): per-flow records on the event
 * loops, per-loop per-backend recorders swapped by the control thread each tick, feature vectors of
 * schema v1, Prometheus histograms, the {@code /api/stream} feed and the CSV dataset.
 *
 * <p>Threading: {@link #newFlow} and everything a {@link FlowRecord} does run on event loops and
 * take no lock; {@link #addPool} and {@link #tick} run on the control thread (or at start).
 *
 * <pre>{@code
 * Telemetry telemetry = Telemetry.start(config.telemetry(), group, transportIsEpoll, registry);
 * telemetry.addPool("web", pool.backends());
 * controlLoop.addTask("telemetry", telemetry::tick);
 * }</pre>
 */
public final class Telemetry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Telemetry.class);

    private final TelemetryConfig config;
    private final boolean tcpInfo;
    private final MeterRegistry registry;
    private final List<LoopTelemetry> loops = new ArrayList<>();
    private final Map<EventExecutor, LoopTelemetry> byLoop = new IdentityHashMap<>();
    private final List<PoolTelemetry> pools = new CopyOnWriteArrayList<>();
    private final List<ScheduledFuture<?>> samplers = new ArrayList<>();
    private final FeatureStream stream;
    private final DatasetWriter dataset;
    private volatile List<FeatureVector> latest = List.of();
    private final List<Consumer<List<FeatureVector>>> consumers = new CopyOnWriteArrayList<>();
    private boolean datasetFailed;
    private boolean transitionsFailed;

    private Telemetry(TelemetryConfig config, EventLoopGroup group, boolean tcpInfo, MeterRegistry registry) {
        this.config = config;
        this.tcpInfo = tcpInfo;
        this.registry = registry;
        if (config.enabled()) {
            for (EventExecutor executor : group) {
                LoopTelemetry loop = new LoopTelemetry(loops.size(), (EventLoop) executor, tcpInfo);
                loops.add(loop);
                byLoop.put(executor, loop);
                long tick = config.tick().toNanos();
                samplers.add(executor.scheduleAtFixedRate(loop::samplePeriodic, tick, tick, TimeUnit.NANOSECONDS));
            }
            stream = new FeatureStream(config.stream(), registry);
            dataset = config.dataset() == null ? null : new DatasetWriter(config.dataset(), registry);
        } else {
            stream = null;
            dataset = null;
        }
    }

    /** @param tcpInfo whether sockets are epoll's, whose TCP_INFO can be read */
    public static Telemetry start(TelemetryConfig config, EventLoopGroup group, boolean tcpInfo, MeterRegistry registry) {
        return new Telemetry(config, group, tcpInfo, registry);
    }

    public boolean enabled() {
        return config.enabled();
    }

    public boolean readsTcpInfo() {
        return config.enabled() && tcpInfo;
    }

    /** Measures a pool's flows from now on (before its listeners accept). */
    public synchronized void addPool(String name, BackendSet backends) {
        if (!config.enabled()) {
            return;
        }
        PoolTelemetry pool = new PoolTelemetry(name, backends, loops, config.reservoirSize(), config.emaDecay(), tcpInfo, registry);
        pool.attach(loops);
        pools.add(pool);
    }

    /**
     * Follows a reload: measures each pool's new backend set (a reload builds new sets even for
     * unchanged pools) and stops measuring the sets and pools it replaced. Called before the new
     * pools are published, so their first flows are measured.
     */
    public synchronized void replacePools(Map<String, BackendSet> next) {
        if (!config.enabled()) {
            return;
        }
        for (PoolTelemetry pool : pools) {
            BackendSet replacement = next.get(pool.name());
            if (replacement != pool.backends()) {
                pools.remove(pool);
                pool.detach(loops, registry);
            }
        }
        next.forEach((name, backends) -> {
            if (pools.stream().noneMatch(p -> p.backends() == backends)) {
                addPool(name, backends);
            }
        });
    }

    /** The record of a new client connection; on the connection's event loop. */
    public FlowRecord newFlow(Channel client) {
        LoopTelemetry loop = byLoop.get(client.eventLoop());
        return loop == null ? FlowRecord.DISABLED : new FlowRecord(loop, client, System.nanoTime());
    }

    /** One control tick: features of every backend, then the stream and the dataset. */
    public void tick() {
        if (!config.enabled()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<FeatureVector> vectors = new ArrayList<>();
        for (PoolTelemetry pool : pools) {
            pool.tick(now, config.tick().toMillis(), vectors);
        }
        latest = List.copyOf(vectors);
        for (Consumer<List<FeatureVector>> consumer : consumers) {
            try {
                consumer.accept(latest);
            } catch (RuntimeException e) {
                log.error("telemetry consumer failed", e);
            }
        }
        stream.publish(vectors);
        if (dataset != null && !datasetFailed) {
            try {
                dataset.write(vectors);
            } catch (IOException e) {
                datasetFailed = true;
                log.error("telemetry.dataset: writing {} failed, no more rows will be written: {}", config.dataset().path(), e.toString());
            }
        }
    }

    /**
     * On the control thread: a tick's q-network transitions (NDJSON lines, each ending in a newline)
     * to the stream's clients that asked for them and to the dataset's transitions file.
     */
    public void transitions(List<String> lines) {
        if (!config.enabled() || lines.isEmpty()) {
            return;
        }
        stream.publishTransitions(lines);
        if (dataset != null && dataset.writesTransitions() && !transitionsFailed) {
            try {
                dataset.writeTransitions(lines);
            } catch (IOException e) {
                transitionsFailed = true;
                log.error("telemetry.dataset.transitions: writing {} failed, no more transitions will be written there: {}",
                        config.dataset().transitions(), e.toString());
            }
        }
    }

    /** Transitions written to the dataset's transitions file so far (control thread's count). */
    public long datasetTransitions() {
        return dataset == null ? 0 : dataset.transitionLines();
    }

    /**
     * Calls {@code consumer} on the control thread after each tick with that tick's vectors (one per
     * backend); for models and controllers that act on features, and for tests.
     */
    public void onTick(Consumer<List<FeatureVector>> consumer) {
        consumers.add(consumer);
    }

    /** The last tick's feature vectors, one per backend. */
    public List<FeatureVector> latest() {
        return latest;
    }

    /** The {@code /api/stream} feed, or {@code null} when telemetry is off. */
    public FeatureStream stream() {
        return stream;
    }

    /** Rows written to the dataset so far (control thread's count; 0 without a dataset). */
    public long datasetRows() {
        return dataset == null ? 0 : dataset.rows();
    }

    @Override
    public void close() {
        samplers.forEach(s -> s.cancel(false));
        if (stream != null) {
            stream.close();
        }
        if (dataset != null) {
            try {
                dataset.close();
            } catch (IOException e) {
                log.error("telemetry.dataset: closing {} failed: {}", config.dataset().path(), e.toString());
            }
        }
    }
}
