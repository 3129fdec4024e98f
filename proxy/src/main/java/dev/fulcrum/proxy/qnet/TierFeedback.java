package dev.fulcrum.proxy.qnet;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.learned.qnet.QNetworkPolicy;
import dev.fulcrum.learned.qnet.QNetworkSettings;
import dev.fulcrum.learned.rl.FlowReward;
import dev.fulcrum.metrics.feature.FeatureVector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hierarchical feedback across Fulcrum tiers (Mizutani, Sensors 2022, §3.5 and Algorithm 1), one
 * control tick at a time: for every pool, the reward of the flows it sent to each backend
 * ({@link PoolRewards}); for {@code q-network} pools, the children's reports ({@link FeedbackPoller},
 * polled for the next tick), the policy's tick (state -> Q -> selection distribution), and the
 * transitions (state, action, reward, next state): appended to the pool's {@code transitions} file
 * and handed to the transition sink (telemetry: {@code /api/stream?lines=transitions} and the
 * dataset's transitions file), the same NDJSON line everywhere.
 * It also builds what {@code GET /api/feedback} serves: each pool's active flows and reward, for
 * this Fulcrum's own parents.
 *
 * <p>Threading: {@link #tick} on the control thread only; {@link #feedback} on any thread (it
 * reads an immutable map the tick publishes). Nothing here runs on an event loop.
 */
public final class TierFeedback implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TierFeedback.class);
    static final String SCHEMA = "fulcrum-feedback-v1";
    /** Ticks a child's report stays usable without a newer one. */
    static final int STALE_TICKS = 3;

    private static final class PoolState {
        final PoolRewards rewards = new PoolRewards();
        QNetworkPolicy policy;
        QNetworkPolicy.Tick previous;
        Map<String, Object> children = Map.of();
    }

    private final MeterRegistry registry;
    private final Duration tick;
    private final LongSupplier clock;
    private final FeedbackPoller poller;
    private final Consumer<List<String>> transitionSink;
    private final Map<String, PoolState> pools = new HashMap<>();
    private final Map<Path, TransitionWriter> writers = new HashMap<>();
    private final Set<Path> failedWriters = new HashSet<>();
    /** 1 while the pool's q-network model picks, 0 while its fallback does (held here: gauges keep weak references). */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> usesModel = new HashMap<>();
    /** Pools that have q-network meters, and the feedback URLs polled (control thread writes; poll callbacks read). */
    private final Set<String> meteredPools = new HashSet<>();
    private volatile Set<URI> polledUrls = Set.of();
    static final String POLLS = "fulcrum.feedback.polls";
    static final List<String> POOL_METERS = List.of("fulcrum.qnetwork.ticks", "fulcrum.qnetwork.model.active",
            "fulcrum.qnetwork.transitions");
    private volatile Map<String, Object> published = Map.of("schema", SCHEMA, "activeFlows", 0, "pools", Map.of());

    public TierFeedback(MeterRegistry registry, Duration tick) {
        this(registry, tick, lines -> { });
    }

    /** @param transitionSink takes each tick's transitions (NDJSON lines, each ending in a newline), on the control thread */
    public TierFeedback(MeterRegistry registry, Duration tick, Consumer<List<String>> transitionSink) {
        this(registry, tick, System::nanoTime, transitionSink);
    }

    TierFeedback(MeterRegistry registry, Duration tick, LongSupplier clock) {
        this(registry, tick, clock, lines -> { });
    }

    TierFeedback(MeterRegistry registry, Duration tick, LongSupplier clock, Consumer<List<String>> transitionSink) {
        this.registry = registry;
        this.tick = tick;
        this.clock = clock;
        this.transitionSink = transitionSink;
        this.poller = new FeedbackPoller(clock, (url, result) -> {
            // A poll that ends after its URL left the configuration must not bring its meter back.
            if (polledUrls.contains(url)) {
                Counter.builder(POLLS).description("Polls of children's GET /api/feedback, by result (ok, timeout, error, invalid)")
                        .tags("url", url.toString(), "result", result).register(registry).increment();
            }
        });
    }

    /** One control tick over the current pools' policies and this tick's features (telemetry's, may be empty). */
    public void tick(Map<String, BalancingPolicy> policies, List<FeatureVector> features) {
        Map<String, List<FeatureVector>> byPool = new HashMap<>();
        for (FeatureVector vector : features) {
            byPool.computeIfAbsent(vector.pool(), p -> new ArrayList<>()).add(vector);
        }
        pools.keySet().retainAll(policies.keySet());
        removeMetersOfGonePools(policies); // before this tick's polls start, so that their results count
        Map<String, Object> out = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, BalancingPolicy> entry : policies.entrySet()) {
            PoolState state = pools.computeIfAbsent(entry.getKey(), p -> new PoolState());
            Map<String, Object> pool = tickPool(entry.getKey(), entry.getValue(), byPool.getOrDefault(entry.getKey(), List.of()), state);
            out.put(entry.getKey(), pool);
            total += (Integer) pool.get("activeFlows");
        }
        flushWriters();
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("schema", SCHEMA);
        all.put("timestampMillis", System.currentTimeMillis());
        all.put("activeFlows", total);
        all.put("reward", weightedReward(out));
        all.put("pools", out);
        published = all;
    }

    /**
     * A pool removed by a reload, or no longer q-network, loses its q-network meters, and a feedback
     * URL no pool polls any more loses its poll counters, so that /metrics shows only what runs.
     */
    private void removeMetersOfGonePools(Map<String, BalancingPolicy> policies) {
        Set<URI> urls = new HashSet<>();
        Set<String> qnet = new HashSet<>();
        policies.forEach((name, policy) -> {
            if (policy instanceof QNetworkPolicy q) {
                qnet.add(name);
                urls.addAll(q.settings().feedback().values());
            }
        });
        for (String gone : new ArrayList<>(meteredPools)) {
            if (!qnet.contains(gone)) {
                for (String meter : POOL_METERS) {
                    registry.find(meter).tag("pool", gone).meters().forEach(registry::remove);
                }
                usesModel.remove(gone);
                meteredPools.remove(gone);
            }
        }
        meteredPools.addAll(qnet);
        if (!urls.equals(polledUrls)) {
            for (URI url : polledUrls) {
                if (!urls.contains(url)) {
                    registry.find(POLLS).tag("url", url.toString()).meters().forEach(registry::remove);
                }
            }
            polledUrls = Set.copyOf(urls);
        }
    }

    private static Double weightedReward(Map<String, Object> pools) {
        double sum = 0;
        double weight = 0;
        for (Object value : pools.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> pool = (Map<String, Object>) value;
            if (pool.get("reward") instanceof Double reward) {
                double w = Math.max(1, (Integer) pool.get("activeFlows"));
                sum += reward * w;
                weight += w;
            }
        }
        return weight == 0 ? null : sum / weight;
    }

    private Map<String, Object> tickPool(String name, BalancingPolicy policy, List<FeatureVector> features, PoolState state) {
        BackendSet backends = policy.backends();
        QNetworkPolicy q = policy instanceof QNetworkPolicy p ? p : null;
        int n = backends.size();
        int[] others = new int[n];
        Double[] childRewards = new Double[n];
        if (q != null) {
            state.children = readChildren(q, backends, others, childRewards);
        } else {
            state.children = Map.of();
        }
        FlowReward rewardFunction = q == null ? FlowReward.withoutFeedback() : q.settings().reward();
        boolean feedback = q != null && q.settings().usesFeedback();
        List<PoolRewards.Sample> samples = state.rewards.update(features, backend -> {
            var found = backends.byName(backend);
            return found == null ? -1 : found.index();
        }, rewardFunction, k -> feedback ? childRewards[k] : null);
        if (q != null) {
            QNetworkPolicy.Tick now = q.tick(others);
            usesModel.computeIfAbsent(name, p -> registry.gauge("fulcrum.qnetwork.model.active",
                    io.micrometer.core.instrument.Tags.of("pool", p), new java.util.concurrent.atomic.AtomicInteger()))
                    .set(q.usesModel() ? 1 : 0);
            Counter.builder("fulcrum.qnetwork.ticks").description("q-network control ticks by outcome (inferred, unchanged, fallback, refused)")
                    .tags("pool", name, "outcome", outcomeTag(now.outcome())).register(registry).increment();
            if (state.policy == q && state.previous != null) {
                writeTransitions(name, q, state.previous, now, samples);
            }
            state.policy = q;
            state.previous = now;
            poller.poll(q.settings().feedback().values(), q.settings().feedbackTimeout());
        } else {
            state.policy = null;
            state.previous = null;
        }
        Map<String, Object> pool = new LinkedHashMap<>();
        int active = 0;
        Map<String, Object> perBackend = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            int flows = backends.get(k).activeFlows();
            active += flows;
            perBackend.put(backends.get(k).backend().name(), Map.of("activeFlows", flows));
        }
        pool.put("activeFlows", active);
        pool.put("reward", state.rewards.reward());
        pool.put("rewardAtMillis", state.rewards.reward() == null ? null : state.rewards.rewardAtMillis());
        pool.put("backends", perBackend);
        if (q != null) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("usesModel", q.usesModel());
            view.put("lastError", q.lastError());
            view.put("insight", q.insight());
            pool.put("policy", view);
            pool.put("children", state.children);
        }
        return pool;
    }

    private Map<String, Object> readChildren(QNetworkPolicy q, BackendSet backends, int[] others, Double[] childRewards) {
        QNetworkSettings settings = q.settings();
        Duration staleAfter = tick.multipliedBy(STALE_TICKS).plus(settings.feedbackTimeout());
        Map<String, Object> children = new LinkedHashMap<>();
        for (Map.Entry<String, URI> child : settings.feedback().entrySet()) {
            var backend = backends.byName(child.getKey());
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("url", child.getValue().toString());
            if (backend == null) {
                view.put("status", "no such backend in the pool");
                children.put(child.getKey(), view);
                continue;
            }
            ChildReport report = poller.fresh(child.getValue(), staleAfter);
            FeedbackPoller.Latest latest = poller.latest(child.getValue());
            int k = backend.index();
            if (report != null) {
                // The child counts every parent's flows; ours are not "others" (paper: F_k^* excludes F_k^i).
                others[k] = (int) Math.max(0, Math.min(Integer.MAX_VALUE, report.activeFlows() - backend.activeFlows()));
                childRewards[k] = report.reward();
                view.put("status", "fresh");
                view.put("activeFlows", report.activeFlows());
                view.put("others", others[k]);
                view.put("reward", report.reward());
                view.put("ageMillis", (clock.getAsLong() - report.receivedNanos()) / 1_000_000);
            } else {
                view.put("status", latest == null ? "no answer yet" : latest.report() == null ? "no feedback" : "stale");
            }
            if (latest != null && latest.error() != null) {
                view.put("lastError", latest.error());
            }
            children.put(child.getKey(), view);
        }
        return children;
    }

    private static String outcomeTag(String outcome) {
        int cut = outcome.indexOf(':');
        String head = cut < 0 ? outcome : outcome.substring(0, cut);
        return head.startsWith("refused") ? "refused" : head.startsWith("inference failed") ? "failed" : head;
    }

    private void writeTransitions(String pool, QNetworkPolicy q, QNetworkPolicy.Tick before, QNetworkPolicy.Tick after,
            List<PoolRewards.Sample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<String> lines = new ArrayList<>(samples.size());
        for (PoolRewards.Sample sample : samples) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("kind", "transition");
            line.put("pool", pool);
            line.put("timestampMillis", now);
            line.put("state", TransitionWriter.state(before.own(), before.others(), before.present()));
            line.put("action", sample.backend());
            line.put("backend", q.backends().get(sample.backend()).backend().name());
            line.put("flows", sample.flows());
            line.put("reward", sample.reward());
            line.put("rtt", sample.rtt());
            line.put("minRtt", sample.minRtt());
            line.put("loss", sample.loss());
            line.put("childReward", sample.childReward());
            line.put("fct", Double.isFinite(sample.fct()) ? sample.fct() : null);
            line.put("next", TransitionWriter.state(after.own(), after.others(), after.present()));
            lines.add(TransitionWriter.line(line));
        }
        Counter.builder("fulcrum.qnetwork.transitions")
                .description("Transitions produced (to the pool's transitions file, the stream and the dataset)")
                .tags("pool", pool).register(registry).increment(samples.size());
        transitionSink.accept(lines);
        if (q.settings().transitions() == null) {
            return;
        }
        Path file = Path.of(q.settings().transitions());
        if (failedWriters.contains(file)) {
            return;
        }
        try {
            TransitionWriter writer = writers.get(file);
            if (writer == null) {
                writer = new TransitionWriter(file);
                writers.put(file, writer);
            }
            for (String line : lines) {
                writer.write(line);
            }
        } catch (IOException e) {
            failedWriters.add(file);
            log.error("pool {}: policy.transitions: writing {} failed, no more transitions will be written there: {}", pool, file, e.toString());
        }
    }

    private void flushWriters() {
        for (Map.Entry<Path, TransitionWriter> entry : writers.entrySet()) {
            try {
                entry.getValue().flush();
            } catch (IOException e) {
                failedWriters.add(entry.getKey());
                log.error("policy.transitions: flushing {} failed: {}", entry.getKey(), e.toString());
            }
        }
        writers.keySet().removeAll(failedWriters);
    }

    /**
     * {@code GET /api/feedback}: every pool ({@code pool == null}) with the totals at the top, or one
     * pool with its own numbers at the top; {@code null} when there is no such pool.
     */
    public Map<String, Object> feedback(String pool) {
        Map<String, Object> all = published;
        if (pool == null) {
            return all;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> pools = (Map<String, Object>) all.get("pools");
        @SuppressWarnings("unchecked")
        Map<String, Object> one = (Map<String, Object>) pools.get(pool);
        if (one == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schema", SCHEMA);
        out.put("timestampMillis", all.get("timestampMillis"));
        out.put("pool", pool);
        out.putAll(one);
        return out;
    }

    /** The pools /api/feedback knows, for error messages. */
    @SuppressWarnings("unchecked")
    public Set<String> poolNames() {
        return ((Map<String, Object>) published.get("pools")).keySet();
    }

    @Override
    public void close() {
        poller.close();
        for (TransitionWriter writer : writers.values()) {
            try {
                writer.close();
            } catch (IOException e) {
                log.error("policy.transitions: closing {} failed: {}", writer.file(), e.toString());
            }
        }
        writers.clear();
    }
}
