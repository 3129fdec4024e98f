package dev.fulcrum.learned.qnet;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelPolicyParameters;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code policy: {type: q-network, model: models/q.onnx, name: q, temperature: 1.0, beta: 0.5,
 * fallback: random, feedback: {child-a: "http://127.0.0.1:9902/api/feedback"}, feedbackTimeout: 200ms,
 * transitions: q-transitions.ndjson}}.
 *
 * <p>{@code model}: the {@code q-network} ONNX file (state schema {@code q-state-v1}; reloaded when
 * replaced); {@code name}: its name in {@code /api/models} (default: the file name without
 * {@code .onnx}); {@code temperature}: of the Boltzmann selection (default 1); {@code beta}: weight
 * of this hop's RTT term in the reward (default 0.5; 1 is the no-feedback IFS-RL variant);
 * {@code fallback}: the policy that picks while no model answers (default {@code random}, the
 * paper's VLB); {@code feedback}: each child Fulcrum's feedback URL, by backend name;
 * {@code transitions}: an NDJSON file the proxy appends (state, action, reward, next state) to.
 */
public final class QNetworkPolicyFactory implements PolicyFactory {

    public static final String TYPE = "q-network";
    static final List<String> PARAMETERS = List.of("model", "name", "temperature", "beta", "fallback", "feedback",
            "feedbackTimeout", "transitions");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        List<String> problems = Policies.unknownParameters(config, PARAMETERS);
        problems.addAll(ModelPolicyParameters.problems(config, TYPE, "q-network"));
        problems.addAll(QNetworkSettings.problems(config.parameters()));
        return problems;
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        List<String> problems = validate(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("policy " + TYPE + ": " + String.join("; ", problems));
        }
        Path file = Path.of((String) config.parameters().get("model"));
        String name = (String) config.parameters().getOrDefault("name", defaultName(file));
        ModelSlot<QNetworkModel> slot = ModelRegistry.global().register(name, file, ModelKind.Q_NETWORK, QNetworkModel::compile);
        QNetworkPolicy before = previous instanceof QNetworkPolicy p ? p : null;
        String fallbackType = (String) config.parameters().getOrDefault("fallback", "random");
        BalancingPolicy fallback = Policies.create(backends, PolicyConfig.of(fallbackType),
                before == null ? null : before.fallbackPolicy());
        QNetworkSettings settings = QNetworkSettings.read(config.parameters(), new ArrayList<>());
        return new QNetworkPolicy(backends, slot, fallback, settings);
    }

    /**
     * Problems of the parameters that need the pool's backends, which {@link #validate} does not
     * see: a {@code feedback} URL keyed by a name that is no backend of the pool would never be
     * used, so the configuration loader refuses it.
     */
    public static List<String> backendProblems(PolicyConfig config, String pool, List<String> backendNames) {
        List<String> problems = new ArrayList<>();
        if (!TYPE.equals(config.type()) || !(config.parameters().get("feedback") instanceof java.util.Map<?, ?> feedback)) {
            return problems;
        }
        for (Object key : feedback.keySet()) {
            if (!backendNames.contains(String.valueOf(key))) {
                problems.add("feedback." + key + ": key \"" + key + "\" names no backend of pool " + pool
                        + " (expected: one of " + String.join(", ", backendNames) + ")");
            }
        }
        return problems;
    }

    static String defaultName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
    }
}
