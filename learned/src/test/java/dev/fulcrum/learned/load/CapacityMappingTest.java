package dev.fulcrum.learned.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CapacityMappingTest {

    private static CapacityMapping.Averages ticks(CapacityMapping mapping, int n, float[][] pressures, int[][] active) {
        CapacityMapping.Averages averages = CapacityMapping.Averages.empty(n);
        for (int t = 0; t < pressures.length; t++) {
            averages = mapping.update(averages, pressures[t], active[t]);
        }
        return averages;
    }

    @Test
    void activeFlowsOverPredictedPressureAreTheCapacityAndTheLargestGetsWeightOne() {
        CapacityMapping mapping = new CapacityMapping(0.05, 1.0);
        // a 2-slot backend with 4 flows (pressure 2), a 4-slot one with 4 (pressure 1), a 4-slot one with 8 (pressure 2)
        CapacityMapping.Averages averages = mapping.update(CapacityMapping.Averages.empty(3), new float[] {2, 1, 2}, new int[] {4, 4, 8});
        assertThat(averages.capacity(0)).isCloseTo(2.0, within(1e-12));
        assertThat(averages.capacity(1)).isCloseTo(4.0, within(1e-12));
        assertThat(averages.capacity(2)).isCloseTo(4.0, within(1e-12));
        assertThat(mapping.weights(averages)).containsExactly(new double[] {0.5, 1.0, 1.0}, within(1e-12));
    }

    @Test
    void theEstimateIsARatioOfAveragesWhoseStartingBiasCancels() {
        CapacityMapping slow = new CapacityMapping(0.05, 0.05);
        CapacityMapping.Averages one = slow.update(CapacityMapping.Averages.empty(1), new float[] {2}, new int[] {6});
        assertThat(one.capacity(0)).as("one tick: its own ratio, not pulled towards the zeros it started from").isCloseTo(3.0, within(1e-12));

        CapacityMapping half = new CapacityMapping(0.05, 0.5);
        CapacityMapping.Averages two = ticks(half, 1, new float[][] {{1}, {4}}, new int[][] {{4}, {8}});
        // A = 0.5 * (0.5 * 4) + 0.5 * 8 = 5, P = 0.5 * (0.5 * 1) + 0.5 * 4 = 2.25: not the mean of the ratios (4 and 2)
        assertThat(two.capacity(0)).isCloseTo(5 / 2.25, within(1e-12));
    }

    @Test
    void ticksUnderTheGuardsDoNotCountAndTheOthersMeanStandsIn() {
        CapacityMapping mapping = new CapacityMapping(0.05, 0.5);
        CapacityMapping.Averages averages = ticks(mapping, 5,
                new float[][] {{1, 2, 5, 0.1f, 1}, {1, 1, 5, 0.2f, 1}},
                new int[][] {{2, 0, 1, 4, 8}, {2, 0, 1, 4, 8}});
        assertThat(averages.capacity(0)).isCloseTo(2.0, within(1e-12));
        assertThat(averages.capacity(1)).as("no flow open").isNaN();
        assertThat(averages.capacity(2)).as("one flow at a time says nothing of the slots").isNaN();
        assertThat(averages.capacity(3)).as("active / 0.1: pressure under the guard").isNaN();
        assertThat(averages.ticks()[1] + averages.ticks()[2] + averages.ticks()[3]).isZero();
        assertThat(averages.capacity(4)).isCloseTo(8.0, within(1e-12));
        // the unknown three stand at the mean of the known (2 + 8) / 2 = 5, over the highest 8
        assertThat(mapping.weights(averages)).containsExactly(new double[] {0.25, 0.625, 0.625, 0.625, 1.0}, within(1e-12));
    }

    @Test
    void aBurstsFirstTicksBeforeTheEstimateRisesDoNotInflateTheCapacity() {
        CapacityMapping mapping = new CapacityMapping(0.05, 0.2);
        // 4 slots: flows arrive (6, then 10 open) while the estimate still reads the idle past (0.05, 0.2)
        CapacityMapping.Averages averages = ticks(mapping, 1, new float[][] {{0.05f}, {0.2f}, {1.5f}, {2.5f}},
                new int[][] {{6}, {10}, {6}, {10}});
        assertThat(averages.capacity(0)).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void withNoEstimateEveryWeightIsOneAsLeastConnections() {
        CapacityMapping mapping = new CapacityMapping(0.05, 0.5);
        assertThat(mapping.weights(CapacityMapping.Averages.empty(3))).containsExactly(1.0, 1.0, 1.0);
        CapacityMapping.Averages idle = mapping.update(CapacityMapping.Averages.empty(2), new float[] {3, 3}, new int[] {0, 1});
        assertThat(mapping.weights(idle)).containsExactly(1.0, 1.0);
    }

    @Test
    void aNaNOrNegativePressureLeavesTheAveragesAsTheyWere() {
        CapacityMapping mapping = new CapacityMapping(0.05, 0.5);
        CapacityMapping.Averages first = mapping.update(CapacityMapping.Averages.empty(2), new float[] {2, 1}, new int[] {4, 4});
        CapacityMapping.Averages second = mapping.update(first, new float[] {Float.NaN, -3}, new int[] {4, 4});
        for (int i = 0; i < 2; i++) {
            assertThat(second.active()[i]).isEqualTo(first.active()[i]);
            assertThat(second.pressure()[i]).isEqualTo(first.pressure()[i]);
            assertThat(second.ticks()[i]).isEqualTo(first.ticks()[i]);
        }
        assertThat(second.capacity(0)).isCloseTo(2.0, within(1e-12));
        assertThat(second.capacity(1)).isCloseTo(4.0, within(1e-12));
        CapacityMapping.Averages third = mapping.update(second, new float[] {1, 1}, new int[] {4, 4});
        assertThat(second.active()[0]).as("an update makes new averages, the earlier stay").isEqualTo(2.0);
        assertThat(third.capacity(0)).isCloseTo(3.0 / 1.0 * 1.0, within(1e-12)); // A = 1 + 2 = 3, P = 0.5 + 0.5 = 1
    }

    @Test
    void weightsStayInBoundsTheLargestIsOneAndALargerCapacityNeverWeighsLess() {
        SplittableRandom random = new SplittableRandom(8);
        for (int round = 0; round < 2000; round++) {
            CapacityMapping mapping = new CapacityMapping(0.01 + random.nextDouble() * 0.99, 0.01 + random.nextDouble() * 0.99);
            int n = 1 + random.nextInt(30);
            CapacityMapping.Averages averages = CapacityMapping.Averages.empty(n);
            for (int t = 0; t < 1 + random.nextInt(6); t++) {
                float[] pressures = new float[n];
                int[] active = new int[n];
                for (int i = 0; i < n; i++) {
                    pressures[i] = (float) (random.nextDouble() * 40 - 2);
                    active[i] = random.nextInt(60);
                }
                averages = mapping.update(averages, pressures, active);
            }
            double[] weights = mapping.weights(averages);
            double highest = 0;
            for (int i = 0; i < n; i++) {
                assertThat(weights[i]).isBetween(mapping.minWeight(), 1.0).isNotNaN();
                highest = Math.max(highest, weights[i]);
                for (int j = 0; j < n; j++) {
                    if (!Double.isNaN(averages.capacity(i)) && !Double.isNaN(averages.capacity(j))
                            && averages.capacity(i) > averages.capacity(j)) {
                        assertThat(weights[i]).isGreaterThanOrEqualTo(weights[j]);
                    }
                }
            }
            assertThat(highest).isEqualTo(1.0);
        }
    }

    @Test
    void badParametersSayWhatWasExpected() {
        assertThatThrownBy(() -> new CapacityMapping(0, 0.05)).hasMessage("minWeight: 0.0 (expected: in (0, 1])");
        assertThatThrownBy(() -> new CapacityMapping(0.05, 0)).hasMessage("capacitySmoothing: 0.0 (expected: in (0, 1])");
        assertThatThrownBy(() -> new CapacityMapping(0.05, Double.NaN)).hasMessage("capacitySmoothing: NaN (expected: in (0, 1])");
    }
}
