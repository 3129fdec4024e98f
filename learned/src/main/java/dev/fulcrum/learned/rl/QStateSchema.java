package dev.fulcrum.learned.rl;

import java.util.Arrays;

/**
 * The input of a {@code q-network} model: what a Fulcrum knows of its children when it chooses one
 * for a new flow (Mizutani, Sensors 2022, §3.3: s = (F_1^i..F_|C|^i, F_1^*..F_|C|^*)).
 *
 * <p>Schema {@value #VERSION}, {@code 3 * A} float32 values for {@code A} fixed action slots (slot
 * {@code k} is the pool's {@code k}-th backend; a model is built for a slot count, pools with fewer
 * children leave the rest absent):
 * <pre>
 *   [0, A)     own_k    / flowScale   flows this Fulcrum has open to child k
 *   [A, 2A)    others_k / flowScale   flows child k reports from its other parents (F_k^*)
 *   [2A, 3A)   present_k              1 when slot k holds a child that may be chosen, else 0
 * </pre>
 * Absent slots encode as 0 in all three blocks, and their Q-values are masked (never chosen). The
 * presence block is part of the input so one network serves pools of any size up to {@code A}.
 * The no-feedback variant (IFS-RL) encodes the same layout with the {@code others} block all 0.
 * {@code flowScale} (model metadata {@code fulcrum.flowScale}) keeps inputs near [0, 1]; a child's
 * capacity is a good choice.
 */
public final class QStateSchema {

    /** Bump when the layout or meaning of any input changes; models name the version they expect. */
    public static final String VERSION = "q-state-v1";
    /** Values per action slot. */
    public static final int BLOCKS = 3;

    private final int actionSlots;
    private final double flowScale;

    public QStateSchema(int actionSlots, double flowScale) {
        if (actionSlots < 1) {
            throw new IllegalArgumentException("actionSlots: " + actionSlots + " (expected: >= 1)");
        }
        if (!(flowScale > 0) || Double.isInfinite(flowScale)) {
            throw new IllegalArgumentException("flowScale: " + flowScale + " (expected: a finite number > 0)");
        }
        this.actionSlots = actionSlots;
        this.flowScale = flowScale;
    }

    public int actionSlots() {
        return actionSlots;
    }

    public double flowScale() {
        return flowScale;
    }

    /** Length of the state vector: {@code 3 * actionSlots}. */
    public int stateSize() {
        return BLOCKS * actionSlots;
    }

    /**
     * Writes the state into {@code out} (length {@link #stateSize()}); arrays shorter than the slot
     * count mean the remaining slots are absent. Allocates nothing.
     *
     * @param own flows open to each child from this Fulcrum
     * @param others flows each child reports from its other parents, or {@code null} without feedback
     * @param present which slots hold a child that may be chosen
     */
    public void encode(int[] own, int[] others, boolean[] present, float[] out) {
        if (out.length != stateSize()) {
            throw new IllegalArgumentException("out.length: " + out.length + " (expected: " + stateSize() + ")");
        }
        if (present.length > actionSlots) {
            throw new IllegalArgumentException("present.length: " + present.length
                    + " (expected: <= " + actionSlots + " action slots)");
        }
        Arrays.fill(out, 0f);
        for (int k = 0; k < present.length; k++) {
            if (!present[k]) {
                continue;
            }
            out[k] = (float) (Math.max(0, own[k]) / flowScale);
            out[actionSlots + k] = others == null ? 0f : (float) (Math.max(0, others[k]) / flowScale);
            out[2 * actionSlots + k] = 1f;
        }
    }

    /** Reads the presence block of an encoded state back into {@code present} (length actionSlots). */
    public void presentOf(float[] state, boolean[] present) {
        for (int k = 0; k < actionSlots; k++) {
            present[k] = state[2 * actionSlots + k] != 0f;
        }
    }
}
