package dev.fulcrum.learned.incast;

import dev.fulcrum.learned.rl.QFunction;
import dev.fulcrum.learned.rl.QStateSchema;

/**
 * A reference without learning: {@code Q_k = -(own_k + others_k)}, the child's load as the state
 * encodes it, fed to the same Boltzmann snapshot as the learned policies. It has exactly the
 * information the feedback policies have, so the gap between it and them is what learning adds
 * (or loses); the gap between it and VLB is what the information alone is worth.
 */
final class LeastLoadQ implements QFunction {

    private final int slots;

    LeastLoadQ(int slots) {
        this.slots = slots;
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
        for (int k = 0; k < slots; k++) {
            q[k] = -(state[k] + state[slots + k]);
        }
    }
}
