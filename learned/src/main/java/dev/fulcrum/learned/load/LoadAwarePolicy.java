package dev.fulcrum.learned.load;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.FeatureDrivenPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.learned.ModelSlot;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load-aware balancing from in-line features (Aquarius, Yao et al., MLSys@NeurIPS 2021, section
 * 5.2): every tick, on the control thread, the load estimator runs once over all backends' recent
 * feature windows (one batch), the predicted loads become weights ({@link WeightMapping} by
 * default, or {@link CapacityMapping}) and a new {@link LoadAwareSnapshot} is published. A flow
 * goes to the backend with the lowest
 * {@code (active + 1) / weight} (the rule of Aquarius' code; weight = learned weight times the
 * configured one, ramped in slow start), ties to the first after a rotating start.
 *
 * <p>While there is no model, no feature yet, or the model fails (throws, NaN, wrong size), the
 * configured fallback policy picks; the failure is counted and logged once per episode.
 *
 * <p>Threading: {@link #pick} reads one volatile field and scans the set (no lock, no allocation);
 * {@link #onTick} is the control thread's.
 */
public final class LoadAwarePolicy implements FeatureDrivenPolicy {

    private static final Logger log = LoggerFactory.getLogger(LoadAwarePolicy.class);

    private final BackendSet backends;
    private final ModelSlot<LoadEstimator> slot;
    private final BalancingPolicy fallback;
    private final MappingKind kind;
    private final WeightMapping mapping;
    private final CapacityMapping capacityMapping;
    private final FeatureWindows windows;
    private final AtomicInteger rotation = new AtomicInteger();
    private final AtomicLong failures;
    private volatile LoadAwareSnapshot snapshot;
    private String failing; // control thread: the current failure, logged once
    private String pool; // control thread: from the vectors, for the meters

    LoadAwarePolicy(BackendSet backends, ModelSlot<LoadEstimator> slot, BalancingPolicy fallback, MappingKind kind,
            WeightMapping mapping, CapacityMapping capacityMapping, LoadAwarePolicy previous) {
        this.backends = backends;
        this.slot = slot;
        this.fallback = fallback;
        this.kind = kind;
        this.mapping = mapping;
        this.capacityMapping = capacityMapping;
        // A reload keeps the history (windows are by backend name) and the last weights of backends that stay.
        this.windows = previous == null ? new FeatureWindows() : previous.windows;
        this.failures = previous == null ? new AtomicLong() : previous.failures;
        this.snapshot = previous == null ? null : carried(previous.snapshot, previous.backends);
    }

    private LoadAwareSnapshot carried(LoadAwareSnapshot before, BackendSet oldSet) {
        if (before == null) {
            return null;
        }
        float[] loads = new float[backends.size()];
        double[] weights = new double[backends.size()];
        CapacityMapping.Averages averages = CapacityMapping.Averages.empty(backends.size());
        for (BackendState state : backends.states()) {
            BackendState old = oldSet.byName(state.backend().name());
            int i = state.index();
            loads[i] = old == null ? 0 : before.predictedLoads()[old.index()];
            weights[i] = old == null ? 1 : before.weights()[old.index()];
            if (old != null && before.averages() != null) {
                averages.active()[i] = before.averages().active()[old.index()];
                averages.pressure()[i] = before.averages().pressure()[old.index()];
                averages.ticks()[i] = before.averages().ticks()[old.index()];
            }
        }
        return new LoadAwareSnapshot(before.modelVersion(), loads, before.averages() == null ? null : averages, weights);
    }

    @Override
    public BackendState pick(Flow flow) {
        LoadAwareSnapshot now = snapshot;
        if (now == null) {
            return fallback.pick(flow);
        }
        double[] weights = now.weights();
        int n = backends.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        BackendState best = null;
        double bestRatio = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            BackendState candidate = backends.get((start + i) % n);
            if (!flow.canUse(candidate)) {
                continue;
            }
            double weight = weights[candidate.index()] * candidate.rampedWeight1024();
            double ratio = (candidate.activeFlows() + 1.0) / weight;
            if (best == null || ratio < bestRatio) {
                best = candidate;
                bestRatio = ratio;
            }
        }
        return best;
    }

    @Override
    public void onTick(List<FeatureVector> vectors) {
        if (!vectors.isEmpty()) {
            pool = vectors.get(0).pool();
        }
        windows.add(vectors);
        tickBody();
        publishMeters();
    }

    private void tickBody() {
        LoadEstimator estimator = slot.compiled();
        if (estimator == null) {
            fail("model " + slot.name() + " not loaded (" + slot.file() + ")", false);
            return;
        }
        int n = backends.size();
        int window = estimator.window();
        int[] columns = estimator.columns();
        int stride = window * columns.length;
        float[] input = new float[n * stride];
        for (BackendState state : backends.states()) {
            if (!windows.has(state.backend().name())) {
                fail("no features yet for backend " + state.backend().name() + " (is telemetry on?)", false);
                return;
            }
            windows.fill(state.backend().name(), window, columns, input, state.index() * stride);
        }
        float[] loads;
        try {
            loads = n == 0 ? new float[0] : estimator.estimate(input, n);
        } catch (Exception e) { // OrtException, or a model that gives the wrong size: fall back, never stop
            fail("model " + slot.name() + " failed: " + e.getMessage(), true);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(loads[i])) {
                fail("model " + slot.name() + " gave " + loads[i] + " for backend " + backends.get(i).backend().name(), true);
                return;
            }
        }
        LoadAwareSnapshot before = snapshot;
        CapacityMapping.Averages averages = null;
        double[] weights;
        if (kind == MappingKind.CAPACITY) {
            int[] active = new int[n];
            for (int i = 0; i < n; i++) {
                active[i] = backends.get(i).activeFlows();
            }
            // A failure episode (snapshot cleared) starts the averages again: the backends may have changed meanwhile.
            CapacityMapping.Averages from = before == null || before.averages() == null ? CapacityMapping.Averages.empty(n) : before.averages();
            averages = capacityMapping.update(from, loads, active);
            weights = capacityMapping.weights(averages);
        } else {
            double[] previous = new double[n];
            for (int i = 0; i < n; i++) {
                previous[i] = before == null ? Double.NaN : before.weights()[i];
            }
            weights = mapping.weights(loads, previous);
        }
        snapshot = new LoadAwareSnapshot(estimator.version(), loads, averages, weights);
        if (failing != null) {
            log.info("load-aware: model {} serves again (was: {})", slot.name(), failing);
            failing = null;
        }
    }

    private void fail(String why, boolean modelFailed) {
        snapshot = null;
        if (modelFailed) {
            failures.incrementAndGet();
        }
        if (!why.equals(failing)) {
            log.warn("load-aware: {}; the fallback policy picks", why);
            failing = why;
        }
    }

    private void publishMeters() {
        if (pool == null) {
            return;
        }
        LoadAwareSnapshot now = snapshot;
        for (BackendState state : backends.states()) {
            LoadAwareMeters.Cell cell = LoadAwareMeters.cell(pool, state.backend().name());
            cell.predictedLoad = now == null ? Double.NaN : now.predictedLoads()[state.index()];
            cell.weight = now == null ? Double.NaN : now.weights()[state.index()];
        }
    }

    /** Whether the fallback picks now (no model, no features or a failing model). */
    public boolean fallingBack() {
        return snapshot == null;
    }

    /** Ticks on which a loaded model could not give weights. */
    public long failures() {
        return failures.get();
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    /**
     * {@code predictedLoad} and {@code weight} per backend, while the model serves, and
     * {@code capacity} (estimated slots) once {@code mapping: capacity} has one.
     */
    @Override
    public Map<String, Map<String, Double>> insight() {
        LoadAwareSnapshot now = snapshot;
        if (now == null) {
            return Map.of();
        }
        Map<String, Map<String, Double>> insight = new LinkedHashMap<>();
        for (BackendState state : backends.states()) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("predictedLoad", (double) now.predictedLoads()[state.index()]);
            values.put("weight", now.weights()[state.index()]);
            double capacity = now.averages() == null ? Double.NaN : now.averages().capacity(state.index());
            if (!Double.isNaN(capacity)) {
                values.put("capacity", capacity);
            }
            insight.put(state.backend().name(), values);
        }
        return insight;
    }

    public ModelSlot<LoadEstimator> slot() {
        return slot;
    }

    BalancingPolicy fallback() {
        return fallback;
    }
}
