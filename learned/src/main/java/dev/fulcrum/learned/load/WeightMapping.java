package dev.fulcrum.learned.load;

/**
 * Predicted loads to backend weights, the documented mapping of the load-aware policy
 * (docs/load-aware.md). Aquarius (Yao et al., MLSys@NeurIPS 2021, section 5.2) gives more tasks to
 * servers with higher weights but leaves the mapping out; this one has the properties it needs:
 * a lower predicted load never gets a lower weight, weights are bounded away from 0 (an estimate is
 * only an estimate: a backend must keep getting some flows for its features to move), and they
 * move smoothly from tick to tick (no herd moving between backends every 250 ms):
 *
 * <pre>
 *   raw_i    = 1 / (max(load_i, 0) + loadOffset)
 *   target_i = max(minWeight, raw_i / max_j raw_j)          in [minWeight, 1]
 *   weight_i = smoothing * target_i + (1 - smoothing) * previous_i   (previous_i = target_i the first time)
 * </pre>
 *
 * A pure function of its inputs, so it can be tested without a model.
 *
 * @param loadOffset the load at which a backend's weight halves from an idle one's, in the target's unit; {@code > 0}
 * @param minWeight  the least weight, as a fraction of the highest; in (0, 1]
 * @param smoothing  the weight of the new value in the exponential average; in (0, 1] (1: no smoothing)
 */
record WeightMapping(double loadOffset, double minWeight, double smoothing) {

    static final WeightMapping DEFAULT = new WeightMapping(1.0, 0.05, 0.5);

    WeightMapping {
        if (!(loadOffset > 0) || Double.isInfinite(loadOffset)) {
            throw new IllegalArgumentException("loadOffset: " + loadOffset + " (expected: a number > 0)");
        }
        if (!(minWeight > 0 && minWeight <= 1)) {
            throw new IllegalArgumentException("minWeight: " + minWeight + " (expected: in (0, 1])");
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("smoothing: " + smoothing + " (expected: in (0, 1])");
        }
    }

    /**
     * Weights for {@code loads}; {@code previous[i]} is NaN for a backend with no earlier weight.
     * A non-finite load is the caller's error (the policy falls back before calling).
     */
    double[] weights(float[] loads, double[] previous) {
        int n = loads.length;
        double[] raw = new double[n];
        double highest = 0;
        for (int i = 0; i < n; i++) {
            raw[i] = 1 / (Math.max(loads[i], 0) + loadOffset);
            highest = Math.max(highest, raw[i]);
        }
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            double target = Math.max(minWeight, raw[i] / highest);
            weights[i] = Double.isNaN(previous[i]) ? target : smoothing * target + (1 - smoothing) * previous[i];
        }
        return weights;
    }
}
