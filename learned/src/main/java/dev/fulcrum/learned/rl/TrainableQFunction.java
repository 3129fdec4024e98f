package dev.fulcrum.learned.rl;

/**
 * A {@link QFunction} the simulator's {@link DqnTrainer} can fit: flat parameters, a gradient of
 * one action's squared TD error, and a copy for the target network. Not thread-safe.
 */
public interface TrainableQFunction extends QFunction {

    /** The parameters, updated in place by the optimiser. */
    double[] parameters();

    /**
     * Adds to {@code gradient} the gradient of {@code 0.5 * (Q(state, action) - target)^2}, with the
     * error clipped to +-clip, and returns the unclipped error.
     */
    double accumulateGradient(float[] state, int action, double target, double clip, double[] gradient);

    /** An independent copy with the same parameters (the target network). */
    TrainableQFunction copy();

    default void copyFrom(TrainableQFunction other) {
        System.arraycopy(other.parameters(), 0, parameters(), 0, parameters().length);
    }
}
