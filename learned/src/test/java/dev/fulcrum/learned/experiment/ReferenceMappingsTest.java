package dev.fulcrum.learned.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fulcrum.balancing.experiment.BinLoads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReferenceMappingsTest {

    @Test
    void labelsAreTheMiddleOfEachKeysRun() {
        assertThat(ReferenceMappings.middleLabels(new long[] {1, 3, 2})).containsExactly(0.5 / 6, 2.5 / 6, 5.0 / 6);
    }

    @Test
    void interpolatesBetweenNeighboursAndClampsAtTheEnds() {
        double[] keys = {10, 20, 40};
        double[] labels = {0.1, 0.5, 0.9};
        assertThat(ReferenceMappings.interpolate(keys, labels, 20)).isEqualTo(0.5);
        assertThat(ReferenceMappings.interpolate(keys, labels, 30)).isCloseTo(0.7, within(1e-12));
        assertThat(ReferenceMappings.interpolate(keys, labels, 5)).isEqualTo(0.1);
        assertThat(ReferenceMappings.interpolate(keys, labels, 99)).isEqualTo(0.9);
    }

    @Test
    void theTrainingCdfSplitsItsOwnSampleExactly() {
        // 6400 distinct keys, unsorted, seen once each: measured on the same sample every one of 64 bins gets 100.
        SplittableRandom random = new SplittableRandom(5);
        double[] keys = new double[6400];
        long[] counts = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i * 1000.0 + random.nextInt(1000);
            counts[i] = 1;
        }
        for (int i = keys.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = keys[i];
            keys[i] = keys[j];
            keys[j] = t;
        }
        BinLoads loads = ReferenceMappings.trainingCdf(keys, counts, keys, 64);
        assertThat(loads.loads()).containsOnly(100L);
    }

    @Test
    void trueFrequenciesBalanceAFreshSampleToItsMultinomialNoise() {
        double[] population = LearnedHashExperiment.population(20_000, 3);
        double[] cumulative = LearnedHashExperiment.zipfCumulative(population.length, 0.6);
        double[] requests = LearnedHashExperiment.sample(population, cumulative, 400_000, 9);
        double floor = LearnedHashExperiment.floor(requests.length, 64);
        BinLoads reference = ReferenceMappings.trueFrequencies(population, cumulative, requests, 64);
        // A random key hash pays for the keys' unequal weights; the reference does not.
        double random = LearnedHashExperiment.randomKeyHashStd(cumulative, requests.length, 64);
        assertThat(reference.std()).isLessThan(1.5 * floor);
        assertThat(random).isGreaterThan(3 * floor);
    }

    @Test
    void randomKeyHashStdMatchesRandomAssignments() {
        double[] population = LearnedHashExperiment.population(5_000, 4);
        double[] cumulative = LearnedHashExperiment.zipfCumulative(population.length, 0.8);
        double[] requests = LearnedHashExperiment.sample(population, cumulative, 200_000, 11);
        java.util.Map<Double, Integer> bin = new java.util.HashMap<>();
        SplittableRandom random = new SplittableRandom(12);
        double sumOfSquares = 0;
        int rounds = 40;
        for (int round = 0; round < rounds; round++) {
            bin.clear();
            long[] loads = new long[64];
            for (double key : requests) {
                loads[bin.computeIfAbsent(key, k -> random.nextInt(64))]++;
            }
            double std = new BinLoads(loads).std();
            sumOfSquares += std * std;
        }
        double expected = LearnedHashExperiment.randomKeyHashStd(cumulative, requests.length, 64);
        assertThat(Math.sqrt(sumOfSquares / rounds)).isCloseTo(expected, within(0.15 * expected));
    }
}
