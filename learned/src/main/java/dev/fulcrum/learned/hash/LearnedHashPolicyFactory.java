package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.balancing.boundedload.BoundedLoadParameter;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelPolicyParameters;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code policy: {type: learned-hash, model: models/clients.onnx, name: clients, fallback: maglev,
 * boundedLoad: 1.25}}. {@code model} is the ONNX file (relative paths from the working directory);
 * {@code name} its name in {@code /api/models} (default: the file name without {@code .onnx});
 * {@code fallback} the policy type that picks while no model has loaded (default {@code maglev});
 * {@code boundedLoad} the bounded-load factor for hot keys (absent: no bound). The drift monitor
 * ({@link DriftMonitor}) takes {@code driftThreshold} (KS distance, default 0.1), {@code maxImbalance}
 * (largest backend share / arc share, default 1.5), {@code driftMinKeys} (default 2000) and
 * {@code driftHalfLife} (seconds, default 60).
 */
public final class LearnedHashPolicyFactory implements PolicyFactory {

    public static final String TYPE = "learned-hash";
    static final List<String> PARAMETERS = List.of("model", "name", "fallback", BoundedLoadParameter.NAME,
            "driftThreshold", "maxImbalance", "driftMinKeys", "driftHalfLife");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        List<String> problems = Policies.unknownParameters(config, PARAMETERS);
        problems.addAll(ModelPolicyParameters.problems(config, TYPE, "learned-hash"));
        number(config, "driftThreshold", 0, 1, false, "a KS distance in (0, 1], e.g. 0.1", problems);
        number(config, "maxImbalance", 1, 1000, false, "a share / arc ratio > 1, e.g. 1.5", problems);
        number(config, "driftMinKeys", 1, 1e12, true, "a whole number of keys >= 1, e.g. 2000", problems);
        number(config, "driftHalfLife", 0, 86400, false, "seconds > 0, e.g. 60", problems);
        String bound = BoundedLoadParameter.problem(config);
        if (bound != null) {
            problems.add(bound);
        }
        return problems;
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        Path file = Path.of((String) config.parameters().get("model"));
        String name = (String) config.parameters().getOrDefault("name", defaultName(file));
        ModelSlot<CompiledLearnedHash> slot = ModelRegistry.global().register(name, file, ModelKind.LEARNED_HASH,
                CompiledLearnedHash::compile);
        LearnedHashPolicy before = previous instanceof LearnedHashPolicy p ? p : null;
        LearnedHashRing ring = LearnedHashRing.place(backends, before == null ? null : before.ring());
        DriftMonitor monitor = DriftMonitors.global().monitor(slot);
        monitor.configure(settings(config), ring);
        LearnedHashFunction hash = new LearnedHashFunction(slot, monitor.tap());
        BalancingPolicy learned = BoundedLoadParameter.policy(ring, hash, config);
        String fallbackType = (String) config.parameters().getOrDefault("fallback", "maglev");
        BalancingPolicy fallback = Policies.create(backends, PolicyConfig.of(fallbackType), before == null ? null : before.fallback());
        // The fast path answers as HashingPolicy's first probe does; the bounded walk reads loads on every pick.
        KeyTap fastTap = BoundedLoadParameter.isSet(config) ? null : monitor.tap();
        return new LearnedHashPolicy(slot, ring, learned, fallback, fastTap).withFastPath();
    }

    private static void number(PolicyConfig config, String key, double above, double atMost, boolean whole, String expected,
                               List<String> problems) {
        Object value = config.parameters().get(key);
        if (value == null) {
            return;
        }
        boolean ok = value instanceof Number n && n.doubleValue() > above && n.doubleValue() <= atMost
                && (!whole || n.doubleValue() == Math.rint(n.doubleValue()));
        if (!ok) {
            problems.add(key + ": " + value + " (expected: " + expected + ")");
        }
    }

    static DriftMonitor.Settings settings(PolicyConfig config) {
        DriftMonitor.Settings d = DriftMonitor.Settings.DEFAULTS;
        return new DriftMonitor.Settings(get(config, "driftThreshold", d.driftThreshold()),
                get(config, "maxImbalance", d.maxImbalance()),
                (long) get(config, "driftMinKeys", d.minKeys()),
                get(config, "driftHalfLife", d.halfLifeSeconds()));
    }

    private static double get(PolicyConfig config, String key, double otherwise) {
        return config.parameters().get(key) instanceof Number n ? n.doubleValue() : otherwise;
    }

    static String defaultName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
    }
}
