package dev.fulcrum.learned.load;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelPolicyParameters;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code policy: {type: load-aware, model: models/load.onnx, name: load, fallback: least-connections,
 * mapping: inverse-load, capacitySmoothing: 0.05, loadOffset: 1.0, minWeight: 0.05, smoothing: 0.5}}. {@code model} is a load-estimator ONNX file
 * (relative paths from the working directory); {@code name} its name in {@code /api/models} (default:
 * the file name without {@code .onnx}); {@code fallback} the classic policy that picks while the
 * model is missing or failing (default {@code least-connections}: it needs no model and still
 * follows load); {@code mapping} how predictions become weights: {@code inverse-load} (default;
 * weight 1 / (load + loadOffset), {@link WeightMapping}) or {@code capacity} (weight proportional to
 * active flows / predicted pressure, {@link CapacityMapping}); {@code minWeight} bounds both,
 * {@code capacitySmoothing} is the former's averaging, {@code loadOffset} and {@code smoothing} the latter's. Needs telemetry on (its features are the model's input).
 */
public final class LoadAwarePolicyFactory implements PolicyFactory {

    public static final String TYPE = "load-aware";
    static final String DEFAULT_FALLBACK = "least-connections";
    static final List<String> PARAMETERS = List.of("model", "name", "fallback", "mapping", "capacitySmoothing", "loadOffset", "minWeight", "smoothing");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        List<String> problems = Policies.unknownParameters(config, PARAMETERS);
        problems.addAll(ModelPolicyParameters.problems(config, TYPE, "load-estimator"));
        Object mapping = config.parameters().get("mapping");
        if (mapping != null && MappingKind.of(mapping) == null) {
            problems.add("mapping: " + mapping + " (expected one of " + MappingKind.keys() + ")");
        }
        number(config, "loadOffset", WeightMapping.DEFAULT.loadOffset(), "a number > 0", v -> v > 0 && !Double.isInfinite(v), problems);
        number(config, "minWeight", WeightMapping.DEFAULT.minWeight(), "a number in (0, 1]", v -> v > 0 && v <= 1, problems);
        number(config, "smoothing", WeightMapping.DEFAULT.smoothing(), "a number in (0, 1]", v -> v > 0 && v <= 1, problems);
        number(config, "capacitySmoothing", CapacityMapping.DEFAULT_SMOOTHING, "a number in (0, 1]", v -> v > 0 && v <= 1, problems);
        return problems;
    }

    private static double number(PolicyConfig config, String key, double otherwise, String expected,
            java.util.function.DoublePredicate ok, List<String> problems) {
        Object value = config.parameters().get(key);
        if (value == null) {
            return otherwise;
        }
        if (value instanceof Number number && ok.test(number.doubleValue())) {
            return number.doubleValue();
        }
        if (problems != null) {
            problems.add(key + ": " + value + " (expected: " + expected + ")");
        }
        return otherwise;
    }

    static WeightMapping mapping(PolicyConfig config) {
        return new WeightMapping(number(config, "loadOffset", WeightMapping.DEFAULT.loadOffset(), "", v -> v > 0, null),
                number(config, "minWeight", WeightMapping.DEFAULT.minWeight(), "", v -> v > 0 && v <= 1, null),
                number(config, "smoothing", WeightMapping.DEFAULT.smoothing(), "", v -> v > 0 && v <= 1, null));
    }

    static CapacityMapping capacityMapping(PolicyConfig config) {
        return new CapacityMapping(number(config, "minWeight", WeightMapping.DEFAULT.minWeight(), "", v -> v > 0 && v <= 1, null),
                number(config, "capacitySmoothing", CapacityMapping.DEFAULT_SMOOTHING, "", v -> v > 0 && v <= 1, null));
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        Path file = Path.of((String) config.parameters().get("model"));
        String name = (String) config.parameters().getOrDefault("name", defaultName(file));
        ModelSlot<LoadEstimator> slot = ModelRegistry.global().register(name, file, ModelKind.LOAD_ESTIMATOR, LoadEstimator::compile);
        LoadAwarePolicy before = previous instanceof LoadAwarePolicy p ? p : null;
        String fallbackType = (String) config.parameters().getOrDefault("fallback", DEFAULT_FALLBACK);
        BalancingPolicy fallback = Policies.create(backends, PolicyConfig.of(fallbackType), before == null ? null : before.fallback());
        MappingKind kind = MappingKind.of(config.parameters().getOrDefault("mapping", MappingKind.DEFAULT.key));
        return new LoadAwarePolicy(backends, slot, fallback, kind == null ? MappingKind.DEFAULT : kind, mapping(config),
                capacityMapping(config), before);
    }

    static String defaultName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
    }
}
