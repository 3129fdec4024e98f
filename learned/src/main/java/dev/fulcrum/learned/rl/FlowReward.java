package dev.fulcrum.learned.rl;

/**
 * The reward of a flow sent to child j (Mizutani, Sensors 2022, §3.4, formula (5)):
 * {@code beta * minRTT_j / RTT_j * (1 - loss_j) + (1 - beta) * r_j}. The first term is this hop's
 * throughput estimate (Mathis: throughput falls with RTT and loss), the second is the reward child
 * j feeds back, so a parent learns what happens below its children. {@code beta = 1} is the
 * no-feedback variant (IFS-RL). The paper's value is 0.5.
 *
 * <p>Every input is checked: a reward computed from a bad measurement would silently teach the
 * policy the wrong thing, so bad values are refused with the name of the field.
 */
public record FlowReward(double beta) {

    public static final double PAPER_BETA = 0.5;

    public FlowReward {
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta: " + beta + " (expected: from 0 to 1)");
        }
    }

    /** The IFS-RL baseline: only what this hop measures. */
    public static FlowReward withoutFeedback() {
        return new FlowReward(1);
    }

    /**
     * @param minRtt the shortest RTT seen to child j (same unit as rtt); a value above rtt (the
     *     minimum not yet updated with this sample) counts as rtt
     * @param rtt this flow's RTT to child j, {@code > 0}
     * @param loss fraction of this flow's packets lost, in [0, 1]
     * @param childReward the reward child j fed back, in [0, 1]; ignored when beta is 1
     * @return a reward in [0, 1]
     */
    public double reward(double minRtt, double rtt, double loss, double childReward) {
        if (!(rtt > 0) || Double.isInfinite(rtt)) {
            throw new IllegalArgumentException("rtt: " + rtt + " (expected: a finite number > 0)");
        }
        if (!(minRtt > 0) || Double.isInfinite(minRtt)) {
            throw new IllegalArgumentException("minRtt: " + minRtt + " (expected: a finite number > 0)");
        }
        if (!(loss >= 0 && loss <= 1)) {
            throw new IllegalArgumentException("loss: " + loss + " (expected: from 0 to 1)");
        }
        double own = Math.min(1, minRtt / rtt) * (1 - loss);
        if (beta == 1) {
            return own;
        }
        if (!(childReward >= 0 && childReward <= 1)) {
            throw new IllegalArgumentException("childReward: " + childReward + " (expected: from 0 to 1)");
        }
        return beta * own + (1 - beta) * childReward;
    }
}
