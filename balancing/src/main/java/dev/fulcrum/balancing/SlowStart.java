package dev.fulcrum.balancing;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A pool's slow start: a backend that comes back (healthy again, un-ejected, undrained, or newly
 * added) takes a growing share of new flows over {@code windowNanos}, as Envoy's
 * {@code slow_start_config}: its share is scaled by
 * {@code max(minFraction, (elapsed / window)^(1 / aggression))}. The weighted policies scale its
 * weight by that fraction; the hashing policies admit a key to it only when a key-derived uniform
 * value falls under the fraction (see {@link SlowStartAdmission}).
 *
 * @param windowNanos how long the ramp lasts, {@code > 0}
 * @param aggression  1 ramps linearly; above 1 ramps faster at first, below 1 slower
 * @param minFraction the share a backend starts from, in (0, 1]
 * @param clock       {@link System#nanoTime()}, or a test's clock; read on the pick path only while
 *                    a backend ramps
 */
public record SlowStart(long windowNanos, double aggression, double minFraction, LongSupplier clock) {

    public static final double DEFAULT_AGGRESSION = 1.0;
    public static final double DEFAULT_MIN_FRACTION = 0.1;

    public SlowStart {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("windowNanos: " + windowNanos + " (expected: > 0)");
        }
        if (!(aggression > 0) || Double.isInfinite(aggression)) {
            throw new IllegalArgumentException("aggression: " + aggression + " (expected: > 0)");
        }
        if (!(minFraction > 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("minFraction: " + minFraction + " (expected: in (0, 1])");
        }
        Objects.requireNonNull(clock, "clock");
    }

    /** The share a backend has {@code elapsedNanos} after its ramp began: 1 once the window is over. */
    public double fraction(long elapsedNanos) {
        if (elapsedNanos >= windowNanos) {
            return 1.0;
        }
        double time = Math.max(0, elapsedNanos) / (double) windowNanos;
        double ramp = aggression == 1.0 ? time : Math.pow(time, 1.0 / aggression);
        return Math.max(minFraction, ramp);
    }
}
