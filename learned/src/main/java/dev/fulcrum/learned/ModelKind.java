package dev.fulcrum.learned;

import java.util.List;

/**
 * The model contracts of ARCHITECTURE.md ("Models (ONNX)"): for each kind, the input and output
 * names, their shapes ({@code N} is the batch, any size; other dimensions come from the kind's
 * metadata parameters), the feature-schema version the proxy speaks, and the parameters it requires.
 */
public enum ModelKind {
    /** {@code key} float32 [N, 1] -> {@code position} float32 [N, 1] in [0, 1). */
    LEARNED_HASH("learned-hash", "key", List.of("1"), "position", List.of("1"),
            List.of("fulcrum.keyEncoding", "fulcrum.keyMin", "fulcrum.keyMax")),
    /** {@code features} float32 [N, T, F] -> {@code load} float32 [N, 1]. */
    LOAD_ESTIMATOR("load-estimator", "features", List.of("fulcrum.windowTicks", "fulcrum.features"), "load", List.of("1"),
            List.of("fulcrum.windowTicks", "fulcrum.features")),
    /** {@code state} float32 [N, S] -> {@code q} float32 [N, A]. */
    Q_NETWORK("q-network", "state", List.of("fulcrum.stateSize"), "q", List.of("fulcrum.actions"),
            List.of("fulcrum.stateSize", "fulcrum.actions"));

    /** The feature-schema version this build reads, for every kind. */
    public static final String SCHEMA = "1";

    private final String label;
    private final String input;
    private final List<String> inputDims;
    private final String output;
    private final List<String> outputDims;
    private final List<String> parameters;

    ModelKind(String label, String input, List<String> inputDims, String output, List<String> outputDims,
            List<String> parameters) {
        this.label = label;
        this.input = input;
        this.inputDims = inputDims;
        this.output = output;
        this.outputDims = outputDims;
        this.parameters = parameters;
    }

    /** The name in {@code fulcrum.kind} and in configuration. */
    public String label() {
        return label;
    }

    public String input() {
        return input;
    }

    public String output() {
        return output;
    }

    /** Dimensions after N: a number, or the metadata parameter holding it. */
    List<String> inputDims() {
        return inputDims;
    }

    List<String> outputDims() {
        return outputDims;
    }

    /** Metadata parameters the kind requires (besides kind, schema and the golden pair). */
    List<String> parameters() {
        return parameters;
    }

    /** The kind with that label, or {@code null}. */
    public static ModelKind byLabel(String label) {
        for (ModelKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        return null;
    }
}
