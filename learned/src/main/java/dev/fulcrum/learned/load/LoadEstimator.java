package dev.fulcrum.learned.load;

import ai.onnxruntime.OrtException;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelRejectedException;
import dev.fulcrum.metrics.feature.FeatureSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * A load-estimator model (ModelKind.LOAD_ESTIMATOR) compiled for the proxy: which schema columns
 * feed it, in which order ({@code fulcrum.featureNames}), over how many ticks
 * ({@code fulcrum.windowTicks}). The model itself standardises and fills NaN (the trainer put that in
 * the graph), so the proxy passes raw feature values. Runs on the control thread only.
 */
public final class LoadEstimator {

    /** The longest window the proxy keeps per backend (Aquarius' sequence length, 64 ticks). */
    public static final int MAX_WINDOW = 64;

    private final LoadedModel model;
    private final int window;
    private final int[] columns;
    private final String target;

    private LoadEstimator(LoadedModel model, int window, int[] columns, String target) {
        this.model = model;
        this.window = window;
        this.columns = columns;
        this.target = target;
    }

    /** Checks the model's feature names against the schema this build speaks; the slot's compiler. */
    public static LoadEstimator compile(LoadedModel model) throws ModelRejectedException {
        int window = Integer.parseInt(model.parameter("fulcrum.windowTicks").trim()); // the loader checked it is positive
        if (window > MAX_WINDOW) {
            throw new ModelRejectedException(model.file(), "fulcrum.windowTicks: " + window + " (expected: 1 to " + MAX_WINDOW + ")");
        }
        int width = Integer.parseInt(model.parameter("fulcrum.features").trim());
        String names = model.parameter("fulcrum.featureNames");
        if (names == null || names.isBlank()) {
            throw new ModelRejectedException(model.file(),
                    "fulcrum.featureNames: absent (expected: the " + width + " schema v" + FeatureSchema.VERSION + " columns the input holds, comma-separated)");
        }
        String[] parts = names.split(",");
        if (parts.length != width) {
            throw new ModelRejectedException(model.file(), "fulcrum.featureNames: " + parts.length + " names (expected: "
                    + width + ", as fulcrum.features)");
        }
        int[] columns = new int[width];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            columns[i] = FeatureSchema.columns().indexOf(parts[i].trim());
            if (columns[i] < 0) {
                unknown.add(parts[i].trim());
            }
        }
        if (!unknown.isEmpty()) {
            throw new ModelRejectedException(model.file(), "fulcrum.featureNames: " + unknown + " (expected: columns of feature schema v"
                    + FeatureSchema.VERSION + ", docs/features.md)");
        }
        return new LoadEstimator(model, window, columns, model.metadata().getOrDefault("fulcrum.target", "load"));
    }

    public int window() {
        return window;
    }

    /** Schema column of each model input feature, in input order. */
    int[] columns() {
        return columns;
    }

    /** What the output measures ({@code fulcrum.target}: busy, pressure...), for operators. */
    public String target() {
        return target;
    }

    public String version() {
        return model.version();
    }

    /** One batched run: {@code input} is [backends, window, features], row-major; one load per backend. */
    float[] estimate(float[] input, int backends) throws OrtException {
        float[] loads = model.run(input, new long[] {backends, window, columns.length});
        if (loads.length != backends) {
            throw new IllegalStateException("the model gave " + loads.length + " loads for " + backends + " backends");
        }
        return loads;
    }
}
