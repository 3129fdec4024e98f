package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.balancing.boundedload.BoundedLoadParameter;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code policy: {type: learned-hash, model: models/clients.onnx, name: clients, fallback: maglev,
 * boundedLoad: 1.25}}. {@code model} is the ONNX file (relative paths from the working directory);
 * {@code name} its name in {@code /api/models} (default: the file name without {@code .onnx});
 * {@code fallback} the policy type that picks while no model has loaded (default {@code maglev});
 * {@code boundedLoad} the bounded-load factor for hot keys (absent: no bound).
 */
public final class LearnedHashPolicyFactory implements PolicyFactory {

    public static final String TYPE = "learned-hash";
    static final List<String> PARAMETERS = List.of("model", "name", "fallback", BoundedLoadParameter.NAME);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        List<String> problems = Policies.unknownParameters(config, PARAMETERS);
        Object model = config.parameters().get("model");
        if (!(model instanceof String path) || path.isBlank()) {
            problems.add("model: " + (model == null ? "absent" : model) + " (expected: the path of a learned-hash .onnx file)");
        }
        Object name = config.parameters().get("name");
        if (name != null && !(name instanceof String text && text.matches("[A-Za-z0-9._-]+"))) {
            problems.add("name: " + name + " (expected: letters, digits, '.', '_' or '-')");
        }
        Object fallback = config.parameters().get("fallback");
        if (fallback != null && (!(fallback instanceof String type) || type.equals(TYPE) || Policies.factory(type) == null)) {
            List<String> types = new java.util.ArrayList<>(Policies.types());
            types.remove(TYPE);
            problems.add("fallback: " + fallback + " (expected one of " + types + ")");
        }
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
        LearnedHashFunction hash = new LearnedHashFunction(slot);
        BalancingPolicy learned = BoundedLoadParameter.policy(ring, hash, config);
        String fallbackType = (String) config.parameters().getOrDefault("fallback", "maglev");
        BalancingPolicy fallback = Policies.create(backends, PolicyConfig.of(fallbackType), before == null ? null : before.fallback());
        return new LearnedHashPolicy(slot, ring, learned, fallback);
    }

    static String defaultName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
    }
}
