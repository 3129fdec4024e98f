package dev.fulcrum.qos;

import java.util.function.DoubleFunction;

/**
 * Predicts one task's resource efficiency (units of one resource consumed per unit of bandwidth)
 * for the next interval from the ones observed (PASCAL §4.3, Eq. 16). The paper's ablation uses
 * EMA, mean and min over a queue of the last 50 observations; anything else (ARIMA, a learned
 * model) plugs in here. Not thread-safe: one controller thread owns it.
 */
public interface EfficiencyPredictor {

    /** The paper's queue length. */
    int WINDOW = 50;

    /** Adds the efficiency measured over the last interval; NaN or negative values are ignored. */
    void observe(double efficiency);

    /** The efficiency expected over the next interval; the prior until something was observed. */
    double predict();

    /** Makes one predictor per (task, resource), given the prior (the configured nominal efficiency). */
    interface Factory extends DoubleFunction<EfficiencyPredictor> {
    }

    /** Exponential moving average over the window, newest weight {@code alpha}. */
    static Factory ema(double alpha) {
        Checks.check(alpha > 0 && alpha <= 1, "alpha: %s (expected: in (0, 1])", alpha);
        return prior -> new WindowedPredictor(prior, WINDOW, WindowedPredictor.Reduction.EMA, alpha);
    }

    /** Mean of the window. */
    static Factory mean() {
        return prior -> new WindowedPredictor(prior, WINDOW, WindowedPredictor.Reduction.MEAN, 0);
    }

    /** Minimum of the window (the most optimistic: it over-commits when efficiency varies). */
    static Factory min() {
        return prior -> new WindowedPredictor(prior, WINDOW, WindowedPredictor.Reduction.MIN, 0);
    }

    /** By name: {@code ema}, {@code mean} or {@code min}. */
    static Factory named(String name) {
        return switch (name) {
            case "ema" -> ema(0.3);
            case "mean" -> mean();
            case "min" -> min();
            default -> throw new IllegalArgumentException("predictor: " + name + " (expected: ema, mean or min)");
        };
    }
}
