package dev.fulcrum.balancing.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AliasTableTest {

    @Test
    void tableHoldsExactlyTheWeightsShares() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(200);
            int[] weights = new int[n];
            long total = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = 1 + (random.nextInt(4) == 0 ? random.nextInt(1_000_000) : random.nextInt(10));
                total += weights[i];
            }
            AliasTable table = new AliasTable(weights);
            for (int i = 0; i < n; i++) {
                assertThat(table.probability(i)).as("trial %d, index %d", trial, i)
                        .isCloseTo((double) weights[i] / total, offset(1e-9));
            }
        }
    }

    @Test
    void drawUsesTheHighBitsForTheColumnAndTheLowBitsForTheCoin() {
        AliasTable table = new AliasTable(new int[] {3, 1}); // column 1 keeps itself half the time, else takes 0
        long column1 = 1L << 63;
        assertThat(table.draw(column1)).isEqualTo(1);
        assertThat(table.draw(column1 | 0x7FFF_FFFFL)).isEqualTo(1);
        assertThat(table.draw(column1 | 0x8000_0000L)).isEqualTo(0);
        assertThat(table.draw(0)).isEqualTo(0);
        assertThat(table.draw(0x7FFF_FFFF_FFFF_FFFFL)).as("column 0 always keeps itself").isEqualTo(0);
    }

    @Test
    void weightsBelowOneAreRefused() {
        assertThatThrownBy(() -> new AliasTable(new int[] {1, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weight: 0 (expected: >= 1)");
    }

    @Test
    void probabilitiesOfZeroAreNeverDrawnAndTheOthersKeepTheirShares() {
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(64);
            double[] p = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                p[i] = random.nextInt(3) == 0 ? 0 : random.nextDouble();
                sum += p[i];
            }
            if (sum == 0) {
                p[0] = 1;
                sum = 1;
            }
            AliasTable table = AliasTable.ofProbabilities(p);
            for (int i = 0; i < n; i++) {
                if (p[i] == 0) {
                    assertThat(table.probability(i)).as("trial %d, zero at %d", trial, i).isZero();
                } else {
                    assertThat(table.probability(i)).as("trial %d, index %d", trial, i).isCloseTo(p[i] / sum, offset(1e-9));
                }
            }
            for (int d = 0; d < 1000; d++) {
                assertThat(p[table.draw(random.nextLong())]).isPositive();
            }
        }
    }

    @Test
    void probabilitiesMustBeFiniteNonNegativeAndNotAllZero() {
        assertThatThrownBy(() -> AliasTable.ofProbabilities(new double[] {0.5, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("probabilities[1]: NaN (expected: finite and >= 0)");
        assertThatThrownBy(() -> AliasTable.ofProbabilities(new double[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weights: all 0 (expected: a positive sum)");
        assertThatThrownBy(() -> AliasTable.ofProbabilities(new double[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("probabilities: none (expected: at least one)");
    }
}
