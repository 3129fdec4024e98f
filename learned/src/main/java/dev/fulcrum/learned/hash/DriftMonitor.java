package dev.fulcrum.learned.hash;

import dev.fulcrum.learned.ModelSlot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Watches how the keys a learned hash really sees drift from the distribution its model was trained
 * on (DLB, Zhu et al., IEEE CLOUD 2021, III-A: "DLB also continuously monitors the actual load
 * distribution of all the servers to make sure no server becomes a hotspot"). Runs on the control
 * thread ({@link #tick}); the event loops only feed its {@link KeyTap}.
 *
 * <h2>What it measures</h2>
 * The model is the training keys' CDF: under the training distribution a key's position is uniform
 * on [0, 1). So the live distribution's divergence from the trained one is the divergence of live
 * positions from uniform, measured as a Kolmogorov-Smirnov distance ({@code drift}: the largest gap
 * between the positions' empirical CDF and the diagonal, over {@link #BINS} bins, so resolved to
 * 1/{@value #BINS}). Beside it, the per-backend load share against each backend's arc of the circle
 * ({@code imbalance}: the largest share / arc ratio; 1 is perfect). Both use exponentially decayed
 * counts (half-life {@code driftHalfLife}), so they follow the recent keys; the decayed key count
 * is reported too, because a KS distance over n keys is noise up to about 1.36 / sqrt(n).
 *
 * <h2>What it does</h2>
 * Past {@code driftThreshold} or {@code maxImbalance}, once at least {@code driftMinKeys} keys back
 * the estimate, it raises one event per serving model (a counter, a message for the log) and sets
 * {@code retrainRequested}, which {@code GET /api/models/{name}} shows and the trainer's follow mode
 * acts on, retraining from the recent keys ({@link #recentKeys()}: the last {@link #RECENT} keys,
 * repeated keys repeated, so frequencies count). When a new model swaps in, the fraction of recent
 * keys that move to another backend is computed ({@code remapFraction}), logged and exported, and
 * the estimate starts afresh for the new model.
 */
public final class DriftMonitor {

    static final int BINS = 256;
    static final int RECENT = 1 << 17;

    /** The policy's drift parameters. */
    public record Settings(double driftThreshold, double maxImbalance, long minKeys, double halfLifeSeconds) {
        public static final Settings DEFAULTS = new Settings(0.1, 1.5, 2000, 60);
    }

    /** What a model swap moved: versions and the fraction of recent keys now on another backend. */
    public record SwapReport(String fromVersion, String toVersion, double remapFraction, int keys) {
    }

    private final ModelSlot<CompiledLearnedHash> slot;
    private final KeyTap tap = new KeyTap(KeyTap.DEFAULT_CAPACITY);
    private final List<Meter> meters = new ArrayList<>();
    private final Counter events;
    private final MeterRegistry registry;
    private volatile Settings settings = Settings.DEFAULTS;
    private volatile LearnedHashRing ring;

    // Control thread state.
    private final double[] bins = new double[BINS];
    private double[] owners = new double[0];
    private LearnedHashRing countedRing;
    private CompiledLearnedHash countedModel;
    private double total;
    private long lastTickNanos = Long.MIN_VALUE;

    // Recent keys: written by the control thread, read by admin and swap threads (under this lock).
    private final double[] recent = new double[RECENT];
    private int recentCount;
    private int recentNext;

    private volatile double drift = Double.NaN;
    private volatile double imbalance = Double.NaN;
    private volatile double keys;
    private volatile boolean retrainRequested;
    private volatile String lastEvent;
    private volatile SwapReport lastSwap;
    private volatile double remapFraction = Double.NaN;

    DriftMonitor(ModelSlot<CompiledLearnedHash> slot, MeterRegistry registry) {
        this.slot = slot;
        this.registry = registry;
        String name = slot.name();
        meters.add(Gauge.builder("fulcrum.learned.hash.drift", this, m -> m.drift).tag("name", name)
                .description("KS distance between the live keys' positions and uniform (0: keys follow the trained distribution)").register(registry));
        meters.add(Gauge.builder("fulcrum.learned.hash.imbalance", this, m -> m.imbalance).tag("name", name)
                .description("Largest backend load share / arc share over the recent keys (1: balanced)").register(registry));
        meters.add(Gauge.builder("fulcrum.learned.hash.drift.keys", this, m -> m.keys).tag("name", name)
                .description("Decayed count of keys behind the drift estimate").register(registry));
        meters.add(Gauge.builder("fulcrum.learned.hash.remap.fraction", this, m -> m.remapFraction).tag("name", name)
                .description("Fraction of recent keys the last model swap moved to another backend").register(registry));
        meters.add(Gauge.builder("fulcrum.learned.hash.keys.dropped", tap, t -> (double) t.dropped()).tag("name", name)
                .description("Keys not seen by the drift monitor because the tap overflowed between two ticks").register(registry));
        events = Counter.builder("fulcrum.learned.hash.drift.events").tag("name", name)
                .description("Drift or imbalance past its threshold (one per serving model)").register(registry);
        meters.add(events);
        slot.onSwap(this::swapped);
    }

    ModelSlot<CompiledLearnedHash> slot() {
        return slot;
    }

    KeyTap tap() {
        return tap;
    }

    void configure(Settings settings, LearnedHashRing ring) {
        this.settings = settings;
        this.ring = ring;
    }

    /**
     * Control thread: drains the tap, updates the estimates and raises an event when they cross
     * their thresholds ({@code log} gets its message). {@code nowNanos} is the clock (a parameter
     * for tests).
     */
    public void tick(long nowNanos, Consumer<String> log) {
        CompiledLearnedHash model = slot.compiled();
        LearnedHashRing currentRing = ring;
        if (model != countedModel || currentRing != countedRing) {
            restart(model, currentRing);
        }
        decay(nowNanos);
        synchronized (recent) { // one lock per tick, not per key
            tap.drain(this::count);
        }
        publish();
        Settings s = settings;
        if (model != null && !retrainRequested && total >= s.minKeys()) {
            String why = drift > s.driftThreshold() ? String.format("drift %.3f > driftThreshold %.3f", drift, s.driftThreshold())
                    : imbalance > s.maxImbalance() ? String.format("imbalance %.3f > maxImbalance %.3f", imbalance, s.maxImbalance())
                    : null;
            if (why != null) {
                retrainRequested = true;
                events.increment();
                lastEvent = String.format("model %s (version %s): %s over %.0f recent keys; retrain requested",
                        slot.name(), model.version(), why, total);
                log.accept(lastEvent);
            }
        }
    }

    private void restart(CompiledLearnedHash model, LearnedHashRing currentRing) {
        if (model != countedModel) {
            retrainRequested = false; // a request a tick raised for the old model while it was being swapped out
        }
        Arrays.fill(bins, 0);
        owners = new double[currentRing == null ? 0 : currentRing.period()];
        total = 0;
        countedModel = model;
        countedRing = currentRing;
        drift = Double.NaN;
        imbalance = Double.NaN;
    }

    private void decay(long nowNanos) {
        if (lastTickNanos != Long.MIN_VALUE && nowNanos > lastTickNanos) {
            double factor = Math.pow(0.5, (nowNanos - lastTickNanos) / 1e9 / settings.halfLifeSeconds());
            for (int i = 0; i < BINS; i++) {
                bins[i] *= factor;
            }
            for (int i = 0; i < owners.length; i++) {
                owners[i] *= factor;
            }
            total *= factor;
        }
        lastTickNanos = nowNanos;
    }

    private void count(double key) {
        recent[recentNext] = key;
        recentNext = (recentNext + 1) % RECENT;
        recentCount = Math.min(recentCount + 1, RECENT);
        CompiledLearnedHash model = countedModel;
        if (model == null) {
            return;
        }
        double position = model.positionOfEncoded(key);
        bins[Math.min(BINS - 1, (int) (position * BINS))]++;
        if (countedRing != null) {
            owners[countedRing.first(LearnedHashFunction.scaled(position))]++;
        }
        total++;
    }

    private void publish() {
        keys = total;
        if (total <= 0) {
            return;
        }
        double cumulative = 0;
        double worst = 0;
        for (int i = 0; i < BINS; i++) {
            cumulative += bins[i];
            worst = Math.max(worst, Math.abs(cumulative / total - (i + 1.0) / BINS));
        }
        drift = worst;
        if (countedRing != null && owners.length > 0) {
            double[] arcs = countedRing.arcs();
            double most = 0;
            for (int i = 0; i < owners.length; i++) {
                most = Math.max(most, owners[i] / total / arcs[i]);
            }
            imbalance = most;
        }
    }

    /** The last {@link #RECENT} keys seen (encoded), oldest first: the follow trainer's sample. */
    public double[] recentKeys() {
        synchronized (recent) {
            double[] out = new double[recentCount];
            int start = recentCount < RECENT ? 0 : recentNext;
            for (int i = 0; i < recentCount; i++) {
                out[i] = recent[(start + i) % RECENT];
            }
            return out;
        }
    }

    /** On the reloading thread after a swap: which recent keys the new model sends elsewhere. */
    private void swapped(CompiledLearnedHash before, CompiledLearnedHash after) {
        retrainRequested = false;
        LearnedHashRing currentRing = ring;
        if (before == null || after == null || currentRing == null) {
            return;
        }
        SwapReport report = remap(before, after, currentRing, recentKeys());
        lastSwap = report;
        remapFraction = report.remapFraction();
    }

    static SwapReport remap(CompiledLearnedHash before, CompiledLearnedHash after, LearnedHashRing ring, double[] keys) {
        int moved = 0;
        for (double key : keys) {
            int from = ring.first(LearnedHashFunction.scaled(before.positionOfEncoded(key)));
            int to = ring.first(LearnedHashFunction.scaled(after.positionOfEncoded(key)));
            if (from != to) {
                moved++;
            }
        }
        return new SwapReport(before.version(), after.version(), keys.length == 0 ? Double.NaN : (double) moved / keys.length, keys.length);
    }

    public boolean retrainRequested() {
        return retrainRequested;
    }

    public double drift() {
        return drift;
    }

    public double imbalance() {
        return imbalance;
    }

    public SwapReport lastSwap() {
        return lastSwap;
    }

    /** The monitor as {@code GET /api/models/{name}} shows it, under {@code drift}. */
    public Map<String, Object> status() {
        Settings s = settings;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("drift", finite(drift));
        out.put("imbalance", finite(imbalance));
        out.put("keys", Math.round(keys));
        out.put("driftThreshold", s.driftThreshold());
        out.put("maxImbalance", s.maxImbalance());
        out.put("driftMinKeys", s.minKeys());
        out.put("driftHalfLife", s.halfLifeSeconds());
        out.put("retrainRequested", retrainRequested);
        out.put("events", (long) events.count());
        out.put("lastEvent", lastEvent);
        out.put("lastSwap", lastSwap);
        synchronized (recent) {
            out.put("recentKeys", recentCount);
        }
        out.put("keysDropped", tap.dropped());
        return out;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    void close() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
    }
}
