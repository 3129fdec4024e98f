package dev.fulcrum.learned.load;

/**
 * Predicted pressure to capacity weights: the load-aware policy's {@code mapping: capacity}
 * (docs/load-aware.md). Aquarius (Yao et al., MLSys@NeurIPS 2021, section 5.2) turns estimated
 * server loads into weights and places flows by the lowest {@code (active + 1) / weight}, but leaves
 * the mapping out. Active flows already are a backend's load, read exactly per flow; what they
 * cannot tell is how much a backend can take (a 2-slot and a 4-slot server with 4 flows each). The
 * estimator's {@code pressure} (outstanding requests per slot) can: active flows over pressure is
 * the backend's effective slots. With weight proportional to that capacity, the pick rule becomes
 * join-the-shortest-queue per unit of capacity, which least connections cannot do on unequal
 * servers.
 *
 * <p>One tick's ratio is mostly noise (the estimate lags its window, flows in transit count as
 * active but not yet as outstanding), and a capacity hardly changes, so the estimate is a ratio of
 * two long averages; a tick counts only when its ratio means something: at least two flows open
 * (one flow says little about a server's slots) and a predicted pressure of at least 1/4 (active /
 * ~0 is any number; it also leaves out the first ticks of a burst, when flows have arrived and the
 * estimate, which reads a window of past ticks, has not yet risen):
 *
 * <pre>
 *   on a tick with active_i >= 2 and pressure_i >= 0.25:
 *       A_i = (1 - a) A_i + a active_i,   P_i = (1 - a) P_i + a pressure_i,   W_i = (1 - a) W_i + a   (all 0 at first)
 *   capacity_i = A_i / P_i   once W_i > 0, else unknown
 *   weight_i   = max(minWeight, capacity_i / max_j capacity_j)                 in [minWeight, 1]
 * </pre>
 *
 * ({@code a} = {@code capacitySmoothing}; the averages start at 0 and their bias cancels in the
 * ratio, W_i only says whether there is one.) A backend with no estimate gets the mean estimate
 * of the others, and every backend weight 1 while none has one: least connections until the
 * estimator has seen enough. A pure function of its inputs, so it can be tested without a model.
 *
 * @param minWeight the least weight, as a fraction of the highest; in (0, 1]
 * @param smoothing {@code a}, the weight of a tick in the averages; in (0, 1] (0.05: about 5 s at 250 ms ticks)
 */
record CapacityMapping(double minWeight, double smoothing) {

    static final double DEFAULT_SMOOTHING = 0.05;
    /** Fewer open flows than this on a tick: the tick does not count. */
    static final int MIN_ACTIVE = 2;
    /** A predicted pressure under this on a tick: the tick does not count. */
    static final double MIN_PRESSURE = 0.25;

    CapacityMapping {
        if (!(minWeight > 0 && minWeight <= 1)) {
            throw new IllegalArgumentException("minWeight: " + minWeight + " (expected: in (0, 1])");
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("capacitySmoothing: " + smoothing + " (expected: in (0, 1])");
        }
    }

    /** The running averages, by backend index; immutable once made. */
    record Averages(double[] active, double[] pressure, double[] ticks) {

        static Averages empty(int n) {
            return new Averages(new double[n], new double[n], new double[n]);
        }

        /** Backend {@code i}'s estimated capacity (effective slots), or NaN while it is not trusted. */
        double capacity(int i) {
            if (!(ticks[i] > 0)) {
                return Double.NaN;
            }
            return active[i] / pressure[i];
        }
    }

    /**
     * The averages after one tick: {@code pressures} from the estimator, {@code active} the open
     * flows now. A tick under the guards, or a non-finite pressure (the policy falls back on those
     * before calling), leaves the backend's averages as they were.
     */
    Averages update(Averages before, float[] pressures, int[] active) {
        int n = pressures.length;
        Averages after = Averages.empty(n);
        for (int i = 0; i < n; i++) {
            after.active()[i] = before.active()[i];
            after.pressure()[i] = before.pressure()[i];
            after.ticks()[i] = before.ticks()[i];
            if (active[i] >= MIN_ACTIVE && pressures[i] >= MIN_PRESSURE && Float.isFinite(pressures[i])) {
                after.active()[i] = (1 - smoothing) * before.active()[i] + smoothing * active[i];
                after.pressure()[i] = (1 - smoothing) * before.pressure()[i] + smoothing * pressures[i];
                after.ticks()[i] = (1 - smoothing) * before.ticks()[i] + smoothing;
            }
        }
        return after;
    }

    /** Weights from the averages, the highest 1. */
    double[] weights(Averages averages) {
        int n = averages.active().length;
        double sum = 0;
        int known = 0;
        double highest = 0;
        for (int i = 0; i < n; i++) {
            double capacity = averages.capacity(i);
            if (!Double.isNaN(capacity)) {
                sum += capacity;
                known++;
                highest = Math.max(highest, capacity);
            }
        }
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            double capacity = averages.capacity(i);
            if (known == 0) {
                weights[i] = 1;
            } else {
                weights[i] = Math.max(minWeight, (Double.isNaN(capacity) ? sum / known : capacity) / highest);
            }
        }
        return weights;
    }
}
