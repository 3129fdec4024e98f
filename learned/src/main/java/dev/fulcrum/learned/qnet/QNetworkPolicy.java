package dev.fulcrum.learned.qnet;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.learned.ModelSlot;
import dev.fulcrum.learned.rl.QStateSchema;
import dev.fulcrum.learned.rl.SelectionPublisher;
import dev.fulcrum.learned.rl.SelectionSnapshot;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code q-network} policy (Mizutani, Sensors 2022, §3.3-3.4): each new flow goes to child
 * {@code k} with the Boltzmann probability of {@code Q(s, k)}, where {@code s} is what this Fulcrum
 * knows of its children ({@link QStateSchema}: its own open flows per child, and the flows each
 * child reports from its other parents).
 *
 * <p>Threading: {@link #tick} runs on the control thread, at most once a tick: it encodes the
 * state, runs the ONNX model only when the state moved (or the model changed), and publishes a
 * {@link SelectionSnapshot}. {@link #pick} runs on every event loop and reads that snapshot: one
 * volatile read and one O(1) alias draw, no lock, no allocation, never an inference. While no
 * model answers (none loaded, refused, pool larger than the model's slots, NaN Q-values before any
 * good ones) the configured fallback policy picks; a drawn child that cannot take the flow (full,
 * draining, already tried by it) also goes to the fallback, which knows how to skip it.
 */
public final class QNetworkPolicy implements BalancingPolicy {

    /** What one control tick saw and did; the state arrays are fresh copies the caller may keep. */
    public record Tick(int[] own, int[] others, boolean[] present, String outcome) {
    }

    private final BackendSet backends;
    private final ModelSlot<QNetworkModel> slot;
    private final BalancingPolicy fallback;
    private final QNetworkSettings settings;
    private final SelectionPublisher publisher;
    /** Whether the published snapshot came from a model (else the fallback picks). */
    private volatile boolean learned;
    private volatile Map<String, Map<String, Double>> insight = Map.of();

    // Control thread only.
    private QNetworkModel lastModel;
    private float[] lastState;
    private long inferences;
    private long unchanged;
    private long failures;
    private String lastError;

    QNetworkPolicy(BackendSet backends, ModelSlot<QNetworkModel> slot, BalancingPolicy fallback, QNetworkSettings settings) {
        this.backends = backends;
        this.slot = slot;
        this.fallback = fallback;
        this.settings = settings;
        boolean[] all = new boolean[Math.max(1, backends.size())];
        Arrays.fill(all, true);
        this.publisher = new SelectionPublisher(settings.temperature(), SelectionSnapshot.uniform(all, 0));
    }

    @Override
    public BackendState pick(Flow flow) {
        if (!learned) {
            return fallback.pick(flow);
        }
        int k = publisher.current().draw(ThreadLocalRandom.current().nextLong());
        if (k < backends.size()) {
            BackendState chosen = backends.get(k);
            if (flow.canUse(chosen)) {
                return chosen;
            }
        }
        return fallback.pick(flow);
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    /**
     * One control tick: reads each child's open flows, takes {@code reportedOthers} (flows child
     * {@code k} reports from its other parents, by backend index; {@code null} or -1 entries: no
     * fresh report), and republishes the selection distribution when the state moved.
     */
    public Tick tick(int[] reportedOthers) {
        int n = backends.size();
        int[] own = new int[n];
        int[] others = new int[n];
        boolean[] present = new boolean[n];
        for (int k = 0; k < n; k++) {
            BackendState state = backends.get(k);
            own[k] = state.activeFlows();
            // IFS-RL (beta = 1) sees only its own flows: the children's reports are not in its state.
            others[k] = settings.usesFeedback() && reportedOthers != null && k < reportedOthers.length
                    ? Math.max(0, reportedOthers[k]) : 0;
            present[k] = state.acceptsNewFlows();
        }
        return new Tick(own, others, present, decide(own, others, present));
    }

    private String decide(int[] own, int[] others, boolean[] present) {
        QNetworkModel model = slot.compiled();
        if (model == null) {
            return fallback("no model loaded" + (slot.failures() > 0 ? " (see /api/models)" : ""));
        }
        QStateSchema schema = model.schema();
        if (schema.actionSlots() < backends.size()) {
            return fallback("model " + model.version() + " has " + schema.actionSlots() + " action slots (expected: >= "
                    + backends.size() + ", the pool's backends)");
        }
        boolean[] slots = new boolean[schema.actionSlots()];
        System.arraycopy(present, 0, slots, 0, present.length);
        float[] state = new float[schema.stateSize()];
        schema.encode(own, others, slots, state);
        if (model == lastModel && learned && Arrays.equals(state, lastState)) {
            unchanged++;
            return "unchanged";
        }
        double[] q = new double[schema.actionSlots()];
        try {
            model.evaluate(state, q);
        } catch (RuntimeException e) {
            failures++;
            lastError = e.getMessage();
            return learned ? "inference failed, last distribution kept: " + e.getMessage() : fallback(e.getMessage());
        }
        inferences++;
        if (!publisher.update(q, slots)) {
            failures++;
            lastError = publisher.lastRejection();
            return learned ? "refused, last distribution kept: " + lastError : fallback(lastError);
        }
        lastModel = model;
        lastState = state;
        learned = true;
        publishInsight(q, publisher.current());
        return "inferred";
    }

    private String fallback(String why) {
        learned = false;
        lastModel = null;
        lastState = null;
        lastError = why;
        insight = Map.of();
        return "fallback: " + why;
    }

    private void publishInsight(double[] q, SelectionSnapshot snapshot) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (int k = 0; k < backends.size(); k++) {
            out.put(backends.get(k).backend().name(), Map.of("qValue", q[k], "selectionProbability", snapshot.probability(k)));
        }
        insight = Map.copyOf(out);
    }

    /** Per backend: {@code qValue} and {@code selectionProbability}; empty while the fallback picks. */
    @Override
    public Map<String, Map<String, Double>> insight() {
        return insight;
    }

    /** Whether a model's distribution picks now (else the fallback does). */
    public boolean usesModel() {
        return learned;
    }

    public QNetworkSettings settings() {
        return settings;
    }

    public ModelSlot<QNetworkModel> slot() {
        return slot;
    }

    /** The distribution pick() draws from (uniform before the first model answer). */
    public SelectionSnapshot snapshot() {
        return publisher.current();
    }

    /** Model runs so far (control thread's count). */
    public long inferences() {
        return inferences;
    }

    /** Ticks that found the state unchanged and ran no inference. */
    public long unchangedTicks() {
        return unchanged;
    }

    /** Inferences that failed or gave NaN/infinite Q-values. */
    public long failures() {
        return failures;
    }

    /** Why the model last failed or was not used, or null. */
    public String lastError() {
        return lastError;
    }

    BalancingPolicy fallbackPolicy() {
        return fallback;
    }
}
