package dev.fulcrum.qos;

import java.util.Arrays;

/**
 * The bandwidth allocator of PASCAL §4.3. Given the migration ratios {@code r} and the predicted
 * efficiency matrix {@code C} (Eq. 17, task x resource), the consumption of one unit of migrated
 * data is {@code u_k = sum_i r_i C_ik} (Eq. 18) and the bandwidths are the largest multiple of the
 * ratios that keeps every resource within its limit, {@code b = r * min_k L_k / u_k} (Eq. 19).
 *
 * <p>Two additions the paper's text implies: a task never gets more than its {@code maxRate}
 * (what is left over goes to the others, water-filling), and some tasks can be fixed in advance
 * (the prudently changed client task); the rest share what the fixed ones leave.
 */
final class BandwidthAllocator {

    private final double[] limits;
    private final double[] maxRates;

    double[] maxRates() {
        return maxRates.clone();
    }

    BandwidthAllocator(StorageDag dag) {
        limits = dag.resources().stream().mapToDouble(ResourceKind::limit).toArray();
        maxRates = dag.tasks().stream().mapToDouble(BandwidthTask::maxRate).toArray();
    }

    /**
     * @param ratios     migration ratios per task (non-negative)
     * @param efficiency predicted consumption per unit bandwidth, task x resource
     * @param fixed      per task a rate decided already, or NaN
     */
    double[] allocate(double[] ratios, double[][] efficiency, double[] fixed) {
        return allocate(ratios, efficiency, fixed, maxRates);
    }

    /** As above, with per-task caps for this allocation (at most each task's maxRate). */
    double[] allocate(double[] ratios, double[][] efficiency, double[] fixed, double[] caps) {
        double[] maxRates = caps;
        int tasks = ratios.length;
        double[] rates = new double[tasks];
        double[] residual = limits.clone();
        boolean[] free = new boolean[tasks];
        // Fixed rates first; if they alone overrun a limit they are scaled down together to fit.
        double fixedScale = 1;
        for (int k = 0; k < residual.length; k++) {
            double use = 0;
            for (int t = 0; t < tasks; t++) {
                if (!Double.isNaN(fixed[t])) {
                    use += Math.min(fixed[t], maxRates[t]) * efficiency[t][k];
                }
            }
            if (use > limits[k]) {
                fixedScale = Math.min(fixedScale, limits[k] / use);
            }
        }
        for (int t = 0; t < tasks; t++) {
            if (!Double.isNaN(fixed[t])) {
                rates[t] = Math.max(0, Math.min(fixed[t], maxRates[t]) * fixedScale);
                for (int k = 0; k < residual.length; k++) {
                    residual[k] = Math.max(0, residual[k] - rates[t] * efficiency[t][k]);
                }
            } else {
                free[t] = ratios[t] > 0;
            }
        }
        // Water-filling: Eq. 19 on the free tasks; a task that would pass its maxRate is pinned there.
        while (true) {
            double lambda = Double.POSITIVE_INFINITY;
            for (int k = 0; k < residual.length; k++) {
                double perUnit = 0;
                for (int t = 0; t < tasks; t++) {
                    if (free[t]) {
                        perUnit += ratios[t] * efficiency[t][k];
                    }
                }
                if (perUnit > 0) {
                    lambda = Math.min(lambda, residual[k] / perUnit);
                }
            }
            boolean pinned = false;
            for (int t = 0; t < tasks; t++) {
                if (free[t] && lambda * ratios[t] > maxRates[t]) {
                    rates[t] = maxRates[t];
                    free[t] = false;
                    pinned = true;
                    for (int k = 0; k < residual.length; k++) {
                        residual[k] = Math.max(0, residual[k] - rates[t] * efficiency[t][k]);
                    }
                }
            }
            if (!pinned) {
                for (int t = 0; t < tasks; t++) {
                    if (free[t]) {
                        rates[t] = lambda * ratios[t];
                    }
                }
                return rates;
            }
        }
    }

    static double[] noneFixed(int tasks) {
        double[] fixed = new double[tasks];
        Arrays.fill(fixed, Double.NaN);
        return fixed;
    }
}
