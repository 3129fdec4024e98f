package dev.fulcrum.balancing;

/**
 * Peak EWMA of a latency, as Finagle's load metric (finagle-core {@code loadbalancer/PeakEwma.scala})
 * and Linkerd's ({@code tower::load::PeakEwma}) compute it. Pure functions of numbers; the state
 * lives in {@link BackendState}.
 *
 * <ul>
 *   <li>A sample above the estimate replaces it: one slow answer makes a backend look slow at once.
 *   <li>A sample at or below it pulls the estimate toward the sample with weight
 *       {@code 1 - exp(-elapsed / tau)}, {@code elapsed} being the time since the previous sample.
 *       Weighing by time rather than by count makes the estimate an average over about the last
 *       {@code tau} of time whether samples come ten or ten thousand times a second (the samples
 *       form an unevenly spaced series; Eckner, "Algorithms for unevenly spaced time series").
 *   <li>Between samples, a reader sees the estimate decay toward zero, {@code estimate *
 *       exp(-elapsed / tau)}, as Finagle's {@code get()} does by observing a zero: a backend that
 *       was slow, and so stopped being picked, looks cheaper as time passes and is tried again
 *       instead of being starved by its last bad answer.
 * </ul>
 *
 * <p>Unlike Finagle, a read does not write the decayed value back: there it makes the estimate
 * depend on how often other picks happened to read it, and here it would turn every pick into a
 * write to memory shared by all event loops. {@link #decayed} composes ({@code decayed(decayed(e,
 * a), b) == decayed(e, a + b)}), so not writing back loses nothing for readers.
 */
final class PeakEwma {

    /** Finagle's and Linkerd's default decay time: 10 s. */
    static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;

    private PeakEwma() {
    }

    /**
     * The estimate after one sample.
     *
     * @param estimate     the current estimate (0 when there is none yet: the first sample is a peak)
     * @param sample       the new sample, {@code >= 0}
     * @param elapsedNanos time since the previous sample; negative counts as 0
     * @param tauNanos     the decay time, {@code > 0}
     */
    static double observe(double estimate, double sample, double elapsedNanos, double tauNanos) {
        if (sample > estimate) {
            return sample;
        }
        double keep = Math.exp(-Math.max(elapsedNanos, 0) / tauNanos);
        // Written as sample + (estimate - sample) * keep so that rounding can never take the result
        // below the sample; the min guards the other bound.
        return Math.min(estimate, sample + (estimate - sample) * keep);
    }

    /** What a reader sees {@code elapsedNanos} after the last sample: the estimate decayed toward zero. */
    static double decayed(double estimate, double elapsedNanos, double tauNanos) {
        return estimate * Math.exp(-Math.max(elapsedNanos, 0) / tauNanos);
    }
}
