package dev.fulcrum.qos;

/**
 * Maps a node's watermark to its pressure (PASCAL §4.2). The paper leaves the form open but asks for
 * three properties, which {@link #of} has:
 * <ol>
 *   <li>Origin: {@code f(w*) = p*};</li>
 *   <li>Non-decreasing: {@code w1 <= w2 => f(w1) <= f(w2)};</li>
 *   <li>Infinity: {@code f(w) -> +inf} as {@code w -> 1}.</li>
 * </ol>
 * The extraction of Eq. 21 lost its formula; we use the rational form
 * <pre>  f(w) = p* + k (w - w*) / (1 - w)          for 0 <= w < 1,  +inf for w >= 1</pre>
 * with two hyperparameters, the ideal watermark {@code w*} and the stiffness {@code k > 0}. At
 * {@code w = w*} the fraction is 0 (Property 1); its derivative {@code k (1 - w*) / (1 - w)^2} is
 * positive because {@code w* < 1} (Property 2, strictly); the numerator tends to
 * {@code k (1 - w*) > 0} while the denominator tends to 0+ (Property 3). Under the ideal watermark
 * the pressure falls linearly-ish, to {@code p* - k w*} at an empty node: an empty node draws data
 * in, but with bounded eagerness.
 */
public final class PressureMapping {

    /** Watermarks are clamped to [0, 1]; at 1 the pressure is infinite. */
    private final double ideal;
    private final double idealPressure;
    private final double stiffness;

    private PressureMapping(double ideal, double idealPressure, double stiffness) {
        Checks.check(ideal > 0 && ideal < 1, "ideal watermark: %s (expected: in (0, 1))", ideal);
        Checks.check(stiffness > 0 && Double.isFinite(stiffness), "stiffness: %s (expected: > 0)", stiffness);
        Checks.check(Double.isFinite(idealPressure), "ideal pressure: %s (expected: finite)", idealPressure);
        this.ideal = ideal;
        this.idealPressure = idealPressure;
        this.stiffness = stiffness;
    }

    public static PressureMapping of(double idealWatermark, double idealPressure, double stiffness) {
        return new PressureMapping(idealWatermark, idealPressure, stiffness);
    }

    public double pressure(double watermark) {
        if (Double.isNaN(watermark)) {
            return Double.NaN;
        }
        double w = Math.max(0, watermark);
        if (w >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        return idealPressure + stiffness * (w - ideal) / (1 - w);
    }

    public double idealWatermark() {
        return ideal;
    }

    public double idealPressure() {
        return idealPressure;
    }
}
