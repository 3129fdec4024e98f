package dev.fulcrum.learned;

import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters every model-driven policy shares, checked alike: {@code model} (the .onnx file),
 * {@code name} (its name in {@code /api/models}) and {@code fallback} (the classic policy that picks
 * while no model serves).
 */
public final class ModelPolicyParameters {

    private ModelPolicyParameters() {
    }

    /**
     * Problems with {@code model}, {@code name} and {@code fallback} of a policy of {@code type}
     * whose model is a {@code modelKind} file; empty when they are fine.
     */
    public static List<String> problems(PolicyConfig config, String type, String modelKind) {
        List<String> problems = new ArrayList<>();
        Object model = config.parameters().get("model");
        if (!(model instanceof String path) || path.isBlank()) {
            problems.add("model: " + (model == null ? "absent" : model) + " (expected: the path of a " + modelKind + " .onnx file)");
        }
        Object name = config.parameters().get("name");
        if (name != null && !(name instanceof String text && text.matches("[A-Za-z0-9._-]+"))) {
            problems.add("name: " + name + " (expected: letters, digits, '.', '_' or '-')");
        }
        Object fallback = config.parameters().get("fallback");
        if (fallback != null && (!(fallback instanceof String fallbackType) || fallbackType.equals(type)
                || Policies.factory(fallbackType) == null)) {
            List<String> types = new ArrayList<>(Policies.types());
            types.remove(type);
            problems.add("fallback: " + fallback + " (expected one of " + types + ")");
        }
        return problems;
    }
}
