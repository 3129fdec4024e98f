package dev.fulcrum.qos.sim;

import dev.fulcrum.qos.BandwidthPolicy;
import dev.fulcrum.qos.EfficiencyPredictor;
import dev.fulcrum.qos.PidPolicy;
import dev.fulcrum.qos.PressureController;
import dev.fulcrum.qos.StaticPolicy;
import dev.fulcrum.qos.StorageDag;
import dev.fulcrum.qos.ThresholdPolicy;
import java.util.function.Function;

/**
 * The methods compared on the simulated system (Table 1's four, and the controller as it was for
 * the ablation), each a function of a parameter vector in [0, 1]^d, so the one tuner
 * ({@code BayesianOptimizer}) tunes the controller and the baselines with the same budget against
 * the same objective.
 */
public enum StoragePolicies {

    /**
     * PASCAL: ideal watermark of each node, one stiffness (log scale 0.5 to 50), the client task's
     * prudence (cut gain, log 0.02 to 1; largest cut, log 0.01 to 0.5; rise gain, log 0.02 to 1),
     * the migrations' conductance (log 50 to 5,000 MB/s per unit of pressure) and the client's
     * yield gain (log 0.5 to 16): "learning to cooperation" (§4.2).
     */
    PASCAL(10, new double[] {0.5, 0.5, 0.2, 0.5, 0.5, 0.692, 0.589, 1.0, 0.5, 0.2}),
    /**
     * Ablation: PASCAL with every task, the client included, at its Eq. 15 share of the resources
     * (no yield, no conductance): ideal watermarks, stiffness, and the client's cut and rise prudence.
     */
    PASCAL_SHARE(8, new double[] {0.5, 0.5, 0.2, 0.5, 0.5, 0.692, 0.589, 1.0}),
    /** LBICA-like threshold per tier: cache threshold, SSD threshold, flush/tier-down/GC nominal rates, flush start. */
    THRESHOLD(6, new double[] {0.9, 0.9, 0.5, 0.5, 0.5, 0.3}),
    /** PID on watermarks: kp, ki, kd (log scales), target watermarks of cache, SSD valid and garbage. */
    PID(6, new double[] {0.5, 0.5, 0.2, 0.5, 0.5, 0.2}),
    /** Static allocation: client, flush, tier-down and GC bandwidths. */
    STATIC(4, new double[] {0.5, 0.5, 0.5, 0.5});

    private final int dimensions;
    private final double[] defaults;

    StoragePolicies(int dimensions, double[] defaults) {
        this.dimensions = dimensions;
        this.defaults = defaults;
    }

    public int dimensions() {
        return dimensions;
    }

    /** A person's first guess, before any tuning. */
    public double[] defaults() {
        return defaults.clone();
    }

    public String label() {
        return switch (this) {
            case PASCAL -> "PASCAL";
            case PASCAL_SHARE -> "PASCAL, client at its Eq. 15 share";
            case THRESHOLD -> "LBICA-like threshold";
            case PID -> "PID";
            case STATIC -> "static";
        };
    }

    public BandwidthPolicy create(double[] p) {
        return create(p, EfficiencyPredictor.ema(0.3));
    }

    public BandwidthPolicy create(double[] p, EfficiencyPredictor.Factory predictor) {
        switch (this) {
            case PASCAL, PASCAL_SHARE -> {
                double[] ideal = {between(0.05, 0.95, p[0]), between(0.05, 0.95, p[1]), between(0.02, 0.9, p[2]),
                    between(0.05, 0.95, p[3])};
                StorageDag dag = ThreeTierSystem.dag(ideal, logBetween(0.5, 50, p[4]));
                double cut = logBetween(0.02, 1, p[5]);
                double maxCut = logBetween(0.01, 0.5, p[6]);
                double rise = logBetween(0.02, 1, p[7]);
                PressureController.Settings settings = this == PASCAL
                        ? new PressureController.Settings(cut, maxCut, rise, logBetween(0.5, 16, p[9]), logBetween(50, 5000, p[8]))
                        : new PressureController.Settings(cut, maxCut, rise);
                return new PressureController(label(), dag, ThreeTierSystem.priorEfficiency(), predictor, settings);
            }
            case THRESHOLD -> {
                StorageDag dag = ThreeTierSystem.dag(ThreeTierSystem.HAND_PICKED_IDEAL, 1);
                double ssdThreshold = between(0.5, 0.97, p[1]);
                double[] nominal = {4000, between(100, 3000, p[2]), between(50, 1500, p[3]), between(50, 3000, p[4])};
                double[] threshold = {between(0.5, 0.97, p[0]), ssdThreshold, ssdThreshold, 0.95};
                double[] start = {between(0.0, 0.9, p[5]), 0.3, 0.05, 0};
                return new ThresholdPolicy(label(), dag, nominal, threshold, start, 0.1);
            }
            case PID -> {
                StorageDag dag = ThreeTierSystem.dag(ThreeTierSystem.HAND_PICKED_IDEAL, 1);
                PidPolicy.Gains gains = new PidPolicy.Gains(logBetween(0.1, 100, p[0]), logBetween(0.001, 10, p[1]),
                        logBetween(0.01, 100, p[2]), 1.0);
                double[] target = {between(0.05, 0.95, p[3]), between(0.05, 0.95, p[4]), between(0.02, 0.9, p[5]), 0.5};
                return new PidPolicy(label(), dag, new double[] {4000, 0, 0, 0}, target, gains);
            }
            default -> {
                return new StaticPolicy(label(), new double[] {between(200, 4000, p[0]), between(50, 3000, p[1]),
                    between(25, 1500, p[2]), between(25, 3000, p[3])});
            }
        }
    }

    static double between(double lo, double hi, double unit) {
        return lo + (hi - lo) * Math.max(0, Math.min(1, unit));
    }

    static double logBetween(double lo, double hi, double unit) {
        return lo * Math.pow(hi / lo, Math.max(0, Math.min(1, unit)));
    }

    /** The methods of Table 1: the controller and the paper's three baselines. */
    static final java.util.List<StoragePolicies> TABLE_1 = java.util.List.of(PASCAL, THRESHOLD, PID, STATIC);

    static StoragePolicies byLabel(String label) {
        for (StoragePolicies p : values()) {
            if (p.label().equals(label) || p.name().equalsIgnoreCase(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("method: " + label);
    }

    static Function<double[], BandwidthPolicy> factory(StoragePolicies p) {
        return p::create;
    }
}
