package dev.fulcrum.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties of the pure peak-EWMA functions, over many random cases from fixed seeds. */
class PeakEwmaTest {

    private static final double TAU = 10e9;
    private static final int CASES = 10_000;

    @Test
    void aSampleAboveTheEstimateBecomesTheEstimate() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < CASES; i++) {
            double estimate = random.nextDouble(0, 1e9);
            double sample = estimate + random.nextDouble(1e-3, 1e9);
            double elapsed = random.nextDouble(0, 100 * TAU);
            assertThat(PeakEwma.observe(estimate, sample, elapsed, TAU)).isEqualTo(sample);
        }
    }

    @Test
    void theFirstSampleIsTheEstimate() {
        assertThat(PeakEwma.observe(0, 1234, 5e9, TAU)).isEqualTo(1234);
    }

    @Test
    void aSampleBelowTheEstimateLandsBetweenTheSampleAndTheEstimate() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < CASES; i++) {
            double sample = random.nextDouble(0, 1e9);
            double estimate = sample + random.nextDouble(0, 1e9);
            double elapsed = random.nextDouble(0, 20 * TAU);
            double next = PeakEwma.observe(estimate, sample, elapsed, TAU);
            assertThat(next).as("case %d", i).isBetween(sample, estimate);
        }
    }

    @Test
    void afterAnySequenceTheEstimateIsWithinTheSamplesRange() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 1_000; trial++) {
            double estimate = 0;
            double min = Double.MAX_VALUE;
            double max = 0;
            for (int k = 1 + random.nextInt(50); k > 0; k--) {
                double sample = random.nextDouble(1, 1e9);
                min = Math.min(min, sample);
                max = Math.max(max, sample);
                estimate = PeakEwma.observe(estimate, sample, random.nextDouble(0, 3 * TAU), TAU);
                assertThat(estimate).as("never below the smallest sample, never above the peak").isBetween(min, max);
            }
        }
    }

    @Test
    void aRepeatedSampleIsApproachedByTheWeightOfTheTimeElapsed() {
        SplittableRandom random = new SplittableRandom(4);
        for (int trial = 0; trial < 1_000; trial++) {
            double sample = random.nextDouble(1, 1e6);
            double estimate = sample * random.nextDouble(1.5, 100);
            for (int step = 0; step < 20; step++) {
                double elapsed = random.nextDouble(1e6, TAU);
                double next = PeakEwma.observe(estimate, sample, elapsed, TAU);
                double expectedGap = (estimate - sample) * Math.exp(-elapsed / TAU);
                assertThat(next - sample).isCloseTo(expectedGap, offset(1e-9 * estimate));
                assertThat(next).isLessThan(estimate);
                estimate = next;
            }
        }
    }

    @Test
    void inOneDecayTimeASteadyLowerSampleClosesAboutSixtyThreePercentOfTheGap() {
        // However the decay time is cut into samples: time, not sample count, sets the weight.
        for (int samples : new int[] {1, 10, 1_000}) {
            double estimate = 100;
            for (int i = 0; i < samples; i++) {
                estimate = PeakEwma.observe(estimate, 10, TAU / samples, TAU);
            }
            assertThat(estimate).as("%d samples", samples).isCloseTo(10 + 90 / Math.E, offset(1e-6));
        }
    }

    @Test
    void noElapsedTimeLeavesTheEstimateUnlessTheSampleIsAPeak() {
        assertThat(PeakEwma.observe(100, 10, 0, TAU)).isEqualTo(100);
        assertThat(PeakEwma.observe(100, 10, -5, TAU)).as("a negative elapsed time counts as none").isEqualTo(100);
        assertThat(PeakEwma.observe(100, 300, 0, TAU)).isEqualTo(300);
    }

    @Test
    void moreElapsedTimeMovesTheEstimateCloserToTheSample() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < CASES; i++) {
            double sample = random.nextDouble(1, 1e6);
            double estimate = sample + random.nextDouble(1, 1e6);
            double shorter = random.nextDouble(0, 5 * TAU);
            double longer = shorter + random.nextDouble(1e6, 5 * TAU);
            assertThat(PeakEwma.observe(estimate, sample, longer, TAU))
                    .isLessThanOrEqualTo(PeakEwma.observe(estimate, sample, shorter, TAU));
        }
    }

    @Test
    void readersSeeTheEstimateDecayTowardZero() {
        assertThat(PeakEwma.decayed(100, 0, TAU)).isEqualTo(100);
        assertThat(PeakEwma.decayed(100, TAU, TAU)).isCloseTo(100 / Math.E, offset(1e-9));
        assertThat(PeakEwma.decayed(100, 50 * TAU, TAU)).isLessThan(1e-18);
    }

    @Test
    void decayComposesSoReadsNeedNotWriteBack() {
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < CASES; i++) {
            double estimate = random.nextDouble(1, 1e9);
            double a = random.nextDouble(0, 3 * TAU);
            double b = random.nextDouble(0, 3 * TAU);
            double stepwise = PeakEwma.decayed(PeakEwma.decayed(estimate, a, TAU), b, TAU);
            assertThat(stepwise).isCloseTo(PeakEwma.decayed(estimate, a + b, TAU), offset(1e-12 * estimate));
        }
    }
}
