package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.dashboard.BackendTrend;
import dev.fulcrum.proxy.dashboard.DashboardView;
import dev.fulcrum.proxy.dashboard.DashboardView.BackendView;
import dev.fulcrum.proxy.dashboard.DashboardView.ClassView;
import dev.fulcrum.proxy.dashboard.DashboardView.NodeView;
import dev.fulcrum.proxy.dashboard.DashboardView.PoolView;
import dev.fulcrum.proxy.qos.QosRuntime;
import dev.fulcrum.proxy.telemetry.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link DashboardView} of {@code GET /api/dashboard} on the control thread each tick, so
 * the admin event loop only serialises the last one (a volatile read) and no event loop does this
 * work. It reads what the proxy keeps anyway: backend states, the flows counters, the flow
 * completion time histograms, the last feature vectors, each policy's {@code insight()}, the
 * bandwidth classes and the model registry.
 */
final class DashboardSampler {

    private static final Logger log = LoggerFactory.getLogger(DashboardSampler.class);
    /** Rates and quantiles cover this much recent time. */
    static final Duration WINDOW = Duration.ofSeconds(5);

    private final FulcrumProxy proxy;
    private final MeterRegistry registry;
    private final long tickMillis;
    private final int samples;
    /** Per "pool/backend"; entries of backends that left are dropped each tick. */
    private final Map<String, BackendTrend> trends = new HashMap<>();
    private final Map<String, Timer> fctTimers = new HashMap<>();
    private volatile DashboardView latest;
    private String lastInsightFailure;

    DashboardSampler(FulcrumProxy proxy, MeterRegistry registry, Duration tick) {
        this.proxy = proxy;
        this.registry = registry;
        this.tickMillis = Math.max(1, tick.toMillis());
        this.samples = (int) Math.max(2, WINDOW.toMillis() / tickMillis + 1);
        this.latest = build(); // so the page has something before the first tick
    }

    /** The last snapshot; any thread. */
    DashboardView latest() {
        return latest;
    }

    /** One control tick. */
    void tick() {
        latest = build();
    }

    private DashboardView build() {
        long nanos = System.nanoTime();
        Telemetry telemetry = proxy.telemetry();
        Map<String, FeatureVector> features = new HashMap<>();
        if (telemetry != null) {
            for (FeatureVector vector : telemetry.latest()) {
                features.put(vector.pool() + "/" + vector.backend(), vector);
            }
        }
        boolean histograms = telemetry != null && telemetry.enabled();
        List<PoolView> pools = new ArrayList<>();
        Map<String, BackendTrend> seen = new HashMap<>();
        for (Pool pool : proxy.pools.values()) {
            Map<String, Map<String, Double>> insight = insight(pool);
            TreeSet<String> quantities = new TreeSet<>();
            List<BackendView> backends = new ArrayList<>();
            for (BackendState b : pool.backends().states()) {
                String name = b.backend().name();
                String key = pool.name() + "/" + name;
                BackendTrend trend = trends.computeIfAbsent(key, k -> new BackendTrend(samples));
                seen.put(key, trend);
                Pool.BackendMeters meters = pool.meters(b);
                trend.sample(nanos, (long) meters.flows.count(), histograms ? fctTimer(pool.name(), name) : null);
                Map<String, Double> quantitiesOf = ProxyViews.finite(insight.get(name));
                quantities.addAll(quantitiesOf.keySet());
                FeatureVector vector = features.get(key);
                double rttSeconds = vector == null ? Double.NaN
                        : vector.values()[FeatureSchema.column(FeatureSchema.RTT, 3)]; // ema_mean: smooth across ticks without a sample
                backends.add(new BackendView(name, b.backend().address(), ProxyViews.effectiveState(b), b.isHealthy(), b.weight(),
                        b.activeFlows(), (long) meters.flows.count(), (long) meters.connectFailures.count(),
                        DashboardView.finite(trend.flowsPerSecond()), DashboardView.finite(rttSeconds * 1000),
                        DashboardView.finite(trend.fctMillis(0.5)), DashboardView.finite(trend.fctMillis(0.99)), quantitiesOf));
            }
            pools.add(new PoolView(pool.name(), pool.config().policy().type(), List.copyOf(quantities), backends));
        }
        trends.keySet().retainAll(seen.keySet());
        fctTimers.keySet().retainAll(seen.keySet());
        return new DashboardView(System.currentTimeMillis(), tickMillis, (samples - 1) * tickMillis / 1000.0, Version.get(),
                proxy.state(), proxy.transportName(), proxy.uptimeMillis(), pools, classes(proxy.qos()), nodes(proxy.qos()),
                ModelRegistry.global().describe());
    }

    /** A policy's insight, or nothing when it throws (logged once per distinct failure: it must not stop the dashboard). */
    private Map<String, Map<String, Double>> insight(Pool pool) {
        BalancingPolicy policy = pool.policy();
        try {
            Map<String, Map<String, Double>> insight = policy.insight();
            return insight == null ? Map.of() : insight;
        } catch (RuntimeException e) {
            String failure = pool.name() + ": " + e;
            if (!failure.equals(lastInsightFailure)) {
                lastInsightFailure = failure;
                log.warn("pool {}: the policy's insight() failed, the dashboard shows none: {}", pool.name(), e.toString());
            }
            return Map.of();
        }
    }

    private HistogramSnapshot fctTimer(String pool, String backend) {
        String key = pool + "/" + backend;
        Timer timer = fctTimers.get(key);
        if (timer == null) {
            timer = registry.find(MeterNames.BACKEND_FLOW_COMPLETION_TIME)
                    .tag(MeterNames.TAG_POOL, pool).tag(MeterNames.TAG_BACKEND, backend).timer();
            if (timer == null) {
                return null;
            }
            fctTimers.put(key, timer);
        }
        return timer.takeSnapshot();
    }

    private static List<ClassView> classes(QosRuntime qos) {
        if (qos == null) {
            return List.of();
        }
        Map<String, Long> measured = qos.measuredRates();
        List<ClassView> classes = new ArrayList<>();
        qos.rates().forEach((name, rate) -> classes.add(new ClassView(name, rate, measured.getOrDefault(name, 0L))));
        return classes;
    }

    private static List<NodeView> nodes(QosRuntime qos) {
        if (qos == null) {
            return List.of();
        }
        Map<String, Double> pressures = qos.pressures();
        List<NodeView> nodes = new ArrayList<>();
        qos.watermarks().forEach((name, watermark) -> nodes.add(new NodeView(name, DashboardView.finite(watermark),
                DashboardView.finite(pressures.getOrDefault(name, Double.NaN)))));
        return nodes;
    }
}
