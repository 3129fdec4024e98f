package dev.fulcrum.learned.rl;

/**
 * Q-values of every action slot for a state: {@code state} float32 [S] -> {@code q} [A], the
 * {@code q-network} contract of ARCHITECTURE.md (batch of one). The simulator trains a
 * {@link Mlp} behind this interface; the proxy will put an ONNX session behind it, so the policy
 * code that turns Q-values into a selection distribution is the same for both.
 *
 * <p>Called on the control thread only; implementations may keep scratch buffers.
 */
public interface QFunction {

    int stateSize();

    int actionSlots();

    /** Writes one Q-value per action slot into {@code q} (length {@link #actionSlots()}). */
    void evaluate(float[] state, double[] q);
}
