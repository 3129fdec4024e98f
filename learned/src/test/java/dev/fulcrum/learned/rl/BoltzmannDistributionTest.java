package dev.fulcrum.learned.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BoltzmannDistributionTest {

    private static final boolean[] ALL3 = {true, true, true};

    @Test
    void matchesTheSoftMaxFormula() {
        double[] p = BoltzmannDistribution.probabilities(new double[] {1, 2, 3}, ALL3, 1.0);
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(p[0]).isCloseTo(Math.exp(1) / sum, within(1e-12));
        assertThat(p[2]).isCloseTo(Math.exp(3) / sum, within(1e-12));
    }

    @Test
    void propertiesHoldOnRandomQValuesMasksAndTemperatures() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 2000; trial++) {
            int slots = 1 + random.nextInt(12);
            double[] q = new double[slots];
            boolean[] present = new boolean[slots];
            for (int k = 0; k < slots; k++) {
                q[k] = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(7)); // up to +-5e5
                present[k] = random.nextInt(4) != 0;
            }
            present[random.nextInt(slots)] = true;
            double temperature = Math.pow(10, random.nextInt(-3, 3));
            double[] p = BoltzmannDistribution.probabilities(q, present, temperature);
            double sum = 0;
            int best = -1;
            for (int k = 0; k < slots; k++) {
                assertThat(p[k]).isFinite().isBetween(0.0, 1.0);
                if (!present[k]) {
                    assertThat(p[k]).isZero();
                } else if (best < 0 || q[k] > q[best]) {
                    best = k;
                }
                sum += p[k];
            }
            assertThat(sum).isCloseTo(1.0, within(1e-9));
            for (int k = 0; k < slots; k++) {
                // Monotone: a higher Q never gets a lower probability.
                assertThat(p[k]).isLessThanOrEqualTo(p[best]);
            }
        }
    }

    @Test
    void hugeQValuesDoNotOverflow() {
        double[] p = BoltzmannDistribution.probabilities(new double[] {1e300, 1e300 - 1e285, -1e300}, ALL3, 1e-3);
        assertThat(p[0]).isEqualTo(1.0);
        assertThat(p[1] + p[2]).isZero();
    }

    @Test
    void temperatureSharpensOrFlattens() {
        double[] q = {0, 0.1, 0.2};
        assertThat(BoltzmannDistribution.probabilities(q, ALL3, 0.01)[2]).isGreaterThan(0.99);
        assertThat(BoltzmannDistribution.probabilities(q, ALL3, 100)[2]).isCloseTo(1 / 3.0, within(1e-3));
    }

    @Test
    void nanOrInfiniteQOnAPresentSlotIsRefusedButIgnoredOnAnAbsentOne() {
        assertThatThrownBy(() -> BoltzmannDistribution.probabilities(new double[] {1, Double.NaN, 0}, ALL3, 1))
                .hasMessageContaining("q[1]: NaN");
        assertThatThrownBy(() -> BoltzmannDistribution.probabilities(
                new double[] {Double.POSITIVE_INFINITY, 0, 0}, ALL3, 1)).hasMessageContaining("q[0]: Infinity");
        double[] p = BoltzmannDistribution.probabilities(new double[] {1, Double.NaN, 1}, new boolean[] {true, false, true}, 1);
        assertThat(p).containsExactly(0.5, 0.0, 0.5);
    }

    @Test
    void noPresentSlotOrBadTemperatureIsRefused() {
        assertThatThrownBy(() -> BoltzmannDistribution.probabilities(new double[2], new boolean[2], 1))
                .hasMessageContaining("no slot present");
        assertThatThrownBy(() -> BoltzmannDistribution.probabilities(new double[1], new boolean[] {true}, 0))
                .hasMessageContaining("temperature: 0.0");
    }
}
