package dev.fulcrum.learned.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightMappingTest {

    private static final double[] NONE = {Double.NaN, Double.NaN, Double.NaN};

    @Test
    void theLeastLoadedBackendGetsWeightOneAndLoadHalvesAtTheOffset() {
        WeightMapping mapping = new WeightMapping(1.0, 0.05, 1.0);
        double[] weights = mapping.weights(new float[] {0, 1, 3}, NONE);
        assertThat(weights[0]).isEqualTo(1.0);
        assertThat(weights[1]).isCloseTo(0.5, within(1e-12));
        assertThat(weights[2]).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void weightsAreBoundedBelowAndNegativeLoadsCountAsZero() {
        WeightMapping mapping = new WeightMapping(0.5, 0.1, 1.0);
        double[] weights = mapping.weights(new float[] {-4, 1000, 0}, NONE);
        assertThat(weights[0]).isEqualTo(1.0);
        assertThat(weights[1]).isEqualTo(0.1);
        assertThat(weights[2]).isEqualTo(1.0);
    }

    @Test
    void smoothingMovesPartWayFromThePreviousWeight() {
        WeightMapping mapping = new WeightMapping(1.0, 0.05, 0.25);
        double[] weights = mapping.weights(new float[] {0, 1, 0}, new double[] {1.0, 1.0, Double.NaN});
        assertThat(weights[0]).isEqualTo(1.0);
        assertThat(weights[1]).isCloseTo(0.25 * 0.5 + 0.75 * 1.0, within(1e-12));
        assertThat(weights[2]).as("no previous weight: the target itself").isEqualTo(1.0);
    }

    @Test
    void aLowerLoadNeverGetsALowerWeightAndWeightsStayInBounds() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 2000; round++) {
            WeightMapping mapping = new WeightMapping(0.01 + random.nextDouble() * 5, 0.01 + random.nextDouble() * 0.99, 1.0);
            float[] loads = new float[2 + random.nextInt(30)];
            double[] previous = new double[loads.length];
            for (int i = 0; i < loads.length; i++) {
                loads[i] = (float) (random.nextDouble() * 50 - 5);
                previous[i] = Double.NaN;
            }
            double[] weights = mapping.weights(loads, previous);
            for (int i = 0; i < loads.length; i++) {
                assertThat(weights[i]).isBetween(mapping.minWeight(), 1.0);
                for (int j = 0; j < loads.length; j++) {
                    if (loads[i] < loads[j]) {
                        assertThat(weights[i]).isGreaterThanOrEqualTo(weights[j]);
                    }
                }
            }
        }
    }

    @Test
    void badParametersSayWhatWasExpected() {
        assertThatThrownBy(() -> new WeightMapping(0, 0.05, 0.5)).hasMessage("loadOffset: 0.0 (expected: a number > 0)");
        assertThatThrownBy(() -> new WeightMapping(1, 0, 0.5)).hasMessage("minWeight: 0.0 (expected: in (0, 1])");
        assertThatThrownBy(() -> new WeightMapping(1, 0.05, 1.5)).hasMessage("smoothing: 1.5 (expected: in (0, 1])");
    }
}
