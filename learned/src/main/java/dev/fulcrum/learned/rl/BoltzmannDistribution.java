package dev.fulcrum.learned.rl;

/**
 * Soft-max (Boltzmann) selection over Q-values (Mizutani, Sensors 2022, §3.4, formula (4), with a
 * temperature): {@code p_k = exp(Q_k / T) / sum_j exp(Q_j / T)} over the present slots, 0 for the
 * absent ones. The paper's formula is {@code T = 1}; a lower temperature follows the Q-values more
 * greedily, a higher one spreads flows more evenly.
 *
 * <p>Numerically stable: the largest present Q is subtracted before exponentiation, so the terms
 * lie in (0, 1] and the sum in [1, A]; no overflow whatever the scale of Q. Q-values that are NaN
 * or infinite (a broken model) are refused with {@link IllegalArgumentException}, so the caller
 * keeps serving its previous distribution.
 */
public final class BoltzmannDistribution {

    private BoltzmannDistribution() {
    }

    /**
     * @param q one Q-value per action slot (only present slots are read)
     * @param present which slots may be chosen; at least one must be
     * @param temperature {@code > 0} and finite
     * @return probabilities, one per slot, summing to 1, exactly 0 for absent slots
     */
    public static double[] probabilities(double[] q, boolean[] present, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature: " + temperature + " (expected: a finite number > 0)");
        }
        if (q.length != present.length) {
            throw new IllegalArgumentException("q.length: " + q.length + " (expected: " + present.length
                    + ", one per action slot)");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < q.length; k++) {
            if (!present[k]) {
                continue;
            }
            if (!Double.isFinite(q[k])) {
                throw new IllegalArgumentException("q[" + k + "]: " + q[k] + " (expected: a finite number)");
            }
            max = Math.max(max, q[k]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("present: no slot present (expected: at least one child to choose)");
        }
        double[] p = new double[q.length];
        double sum = 0;
        for (int k = 0; k < q.length; k++) {
            if (present[k]) {
                p[k] = Math.exp((q[k] - max) / temperature);
                sum += p[k];
            }
        }
        // sum >= 1: the slot holding the maximum contributes exp(0).
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /** As {@link #probabilities(double[], boolean[], double)} for float32 model outputs. */
    public static double[] probabilities(float[] q, boolean[] present, double temperature) {
        double[] widened = new double[q.length];
        for (int k = 0; k < q.length; k++) {
            widened[k] = q[k];
        }
        return probabilities(widened, present, temperature);
    }
}
