package dev.fulcrum.learned.rl;

/**
 * A Q-network that scores every action slot with the same small MLP:
 * {@code Q_k = f(own_k, others_k, present_k, mean own, mean others)}, from a
 * {@link QStateSchema} state. It is still a map from the whole state to one Q per slot (the
 * {@code q-network} contract), but its weights are shared across slots, so each transition teaches
 * it about every child, and a child's slot number means nothing: what matters is its load and the
 * load around it. The paper's plain five-layer MLP ({@link Mlp#paperShape}) has to learn the same
 * rule once per slot and needs many more transitions (docs/rl-incast.md compares them).
 * In PyTorch this is one Linear stack applied over the slot dimension, exported as one ONNX graph.
 */
public final class SlotScorer implements TrainableQFunction {

    static final int FEATURES = 5;

    private final int slots;
    private final Mlp scorer;
    private final float[] features = new float[FEATURES];
    private final double[] one = new double[1];

    /** @param hidden widths of the scorer's hidden layers */
    public SlotScorer(int slots, int[] hidden, long seed) {
        this(slots, new Mlp(shape(hidden), seed));
    }

    private SlotScorer(int slots, Mlp scorer) {
        this.slots = slots;
        this.scorer = scorer;
    }

    private static int[] shape(int[] hidden) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = FEATURES;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 1;
        return sizes;
    }

    @Override
    public int stateSize() {
        return QStateSchema.BLOCKS * slots;
    }

    @Override
    public int actionSlots() {
        return slots;
    }

    @Override
    public void evaluate(float[] state, double[] q) {
        if (state.length != stateSize()) {
            throw new IllegalArgumentException("state.length: " + state.length + " (expected: " + stateSize() + ")");
        }
        for (int k = 0; k < slots; k++) {
            if (state[2 * slots + k] == 0f) {
                q[k] = 0; // absent: masked by the caller, never scored
                continue;
            }
            features(state, k);
            scorer.evaluate(features, one);
            q[k] = one[0];
        }
    }

    private void features(float[] state, int k) {
        float ownSum = 0;
        float othersSum = 0;
        int present = 0;
        for (int j = 0; j < slots; j++) {
            if (state[2 * slots + j] != 0f) {
                ownSum += state[j];
                othersSum += state[slots + j];
                present++;
            }
        }
        features[0] = state[k];
        features[1] = state[slots + k];
        features[2] = state[2 * slots + k];
        features[3] = present == 0 ? 0 : ownSum / present;
        features[4] = present == 0 ? 0 : othersSum / present;
    }

    @Override
    public double[] parameters() {
        return scorer.parameters();
    }

    @Override
    public double accumulateGradient(float[] state, int action, double target, double clip, double[] gradient) {
        features(state, action);
        return scorer.accumulateGradient(features, 0, target, clip, gradient);
    }

    @Override
    public SlotScorer copy() {
        return new SlotScorer(slots, scorer.copy());
    }
}
