package dev.fulcrum.metrics.feature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReservoirTest {

    @Test
    void keepsEverythingUpToItsCapacity() {
        Reservoir reservoir = new Reservoir(4, 1);
        for (int i = 1; i <= 3; i++) {
            reservoir.add(i);
        }
        assertThat(reservoir.values()).containsExactly(1, 2, 3);
        assertThat(reservoir.seen()).isEqualTo(3);
        reservoir.reset();
        assertThat(reservoir.size()).isZero();
    }

    @Test
    void everyValueIsKeptWithProbabilityCapacityOverSeen() {
        // 4000 seeded trials of 1000 values into 100 slots: each value should be kept 400 times.
        int n = 1000;
        int k = 100;
        int trials = 4000;
        int[] kept = new int[n];
        for (int trial = 0; trial < trials; trial++) {
            Reservoir reservoir = new Reservoir(k, 1 + trial);
            for (int v = 0; v < n; v++) {
                reservoir.add(v);
            }
            for (double v : reservoir.values()) {
                kept[(int) v]++;
            }
        }
        double expected = (double) trials * k / n;
        double chiSquare = 0;
        for (int count : kept) {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        // 999 degrees of freedom: mean 999, sd ~45; a biased sampler (say, one that favours early
        // values) lands in the thousands.
        assertThat(chiSquare).isLessThan(1300);
        assertThat(kept[0] + kept[1] + kept[2]).as("the first values are not favoured").isBetween(3 * 300, 3 * 500);
        assertThat(kept[n - 1] + kept[n - 2] + kept[n - 3]).as("nor the last").isBetween(3 * 300, 3 * 500);
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new Reservoir(0, 1)).hasMessage("capacity: 0 (expected: >= 1)");
    }
}
