package dev.fulcrum.loadtest.testbed;

import java.util.SplittableRandom;

/**
 * Arrival times of a Poisson process: exponentially distributed gaps of mean {@code 1 / rate}, from
 * a seeded generator so a run can be repeated. Open loop: the next arrival does not wait for any
 * reply.
 */
final class PoissonArrivals {

    private final SplittableRandom random;
    private final double meanGapNanos;
    private double nextNanos;

    PoissonArrivals(double ratePerSecond, long seed) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate: " + ratePerSecond + " (expected: > 0)");
        }
        this.random = new SplittableRandom(seed);
        this.meanGapNanos = 1e9 / ratePerSecond;
    }

    /** Nanoseconds from the start to the next arrival. */
    long next() {
        nextNanos += Workload.exponential(random, meanGapNanos);
        return (long) nextNanos;
    }
}
