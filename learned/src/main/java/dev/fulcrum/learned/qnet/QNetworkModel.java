package dev.fulcrum.learned.qnet;

import ai.onnxruntime.OrtException;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelRejectedException;
import dev.fulcrum.learned.ModelSlot;
import dev.fulcrum.learned.rl.QFunction;
import dev.fulcrum.learned.rl.QStateSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code q-network} ONNX model behind {@link QFunction}: {@code state} float32 [1, 3A] ->
 * {@code q} float32 [1, A], the state laid out as {@link QStateSchema} {@value QStateSchema#VERSION}.
 * The loader has already checked kind, shapes and the golden rows; this adds what only a Q-network
 * needs: the state schema it was trained on and the flow scale of its inputs. Runs on the control
 * thread only (one evaluation per tick at most).
 */
public final class QNetworkModel implements QFunction, ModelSlot.Describable {

    static final String STATE_SCHEMA = "fulcrum.stateSchema";
    static final String FLOW_SCALE = "fulcrum.flowScale";

    private final LoadedModel model;
    private final QStateSchema schema;
    private final long[] shape;

    private QNetworkModel(LoadedModel model, QStateSchema schema) {
        this.model = model;
        this.schema = schema;
        this.shape = new long[] {1, schema.stateSize()};
    }

    /** The slot's compiler: refuses a model trained on another state layout. */
    public static QNetworkModel compile(LoadedModel model) throws ModelRejectedException {
        String version = model.parameter(STATE_SCHEMA);
        if (!QStateSchema.VERSION.equals(version)) {
            throw new ModelRejectedException(model.file(), STATE_SCHEMA + ": " + (version == null ? "absent" : version)
                    + " (expected: " + QStateSchema.VERSION + ")");
        }
        int actions = Integer.parseInt(model.parameter("fulcrum.actions").trim()); // the loader checked it is a positive integer
        int stateSize = Integer.parseInt(model.parameter("fulcrum.stateSize").trim());
        if (stateSize != QStateSchema.BLOCKS * actions) {
            throw new ModelRejectedException(model.file(), "fulcrum.stateSize: " + stateSize + " (expected: "
                    + QStateSchema.BLOCKS * actions + ", " + QStateSchema.BLOCKS + " x fulcrum.actions for " + QStateSchema.VERSION + ")");
        }
        String scale = model.parameter(FLOW_SCALE);
        double flowScale;
        try {
            flowScale = scale == null ? Double.NaN : Double.parseDouble(scale.trim());
        } catch (NumberFormatException e) {
            flowScale = Double.NaN;
        }
        if (!(flowScale > 0) || Double.isInfinite(flowScale)) {
            throw new ModelRejectedException(model.file(), FLOW_SCALE + ": " + (scale == null ? "absent" : scale)
                    + " (expected: a finite number > 0, the flow count the trainer divided by)");
        }
        return new QNetworkModel(model, new QStateSchema(actions, flowScale));
    }

    public QStateSchema schema() {
        return schema;
    }

    public String version() {
        return model.version();
    }

    @Override
    public int stateSize() {
        return schema.stateSize();
    }

    @Override
    public int actionSlots() {
        return schema.actionSlots();
    }

    /** @throws IllegalStateException when ONNX Runtime fails (the caller keeps its last distribution) */
    @Override
    public void evaluate(float[] state, double[] q) {
        float[] out;
        try {
            out = model.run(state, shape);
        } catch (OrtException e) {
            throw new IllegalStateException(model.file() + ": inference failed (" + e.getMessage() + ")", e);
        }
        if (out.length != q.length) {
            throw new IllegalStateException(model.file() + ": q has " + out.length + " values (expected: " + q.length + ")");
        }
        for (int k = 0; k < out.length; k++) {
            q[k] = out[k];
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stateSchema", QStateSchema.VERSION);
        out.put("actions", schema.actionSlots());
        out.put("flowScale", schema.flowScale());
        return out;
    }
}
