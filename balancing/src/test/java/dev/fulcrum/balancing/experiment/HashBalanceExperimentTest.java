package dev.fulcrum.balancing.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.balancing.experiment.HashBalanceExperiment.Result;
import dev.fulcrum.balancing.experiment.HashBalanceExperiment.Settings;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashBalanceExperimentTest {

    private static final Settings SMALL = new Settings(20_000, 16, 7, Arrays.asList(KeyDistribution.values()),
            HashBalanceExperiment.defaultMappers());

    @Test
    void everyMapperRunsOnEveryDistributionAndRunsAreRepeatable() {
        List<Result> first = HashBalanceExperiment.run(SMALL);
        assertThat(first).hasSize(KeyDistribution.values().length * HashBalanceExperiment.defaultMappers().size());
        assertThat(HashBalanceExperiment.run(SMALL)).isEqualTo(first);
    }

    @Test
    void figuresHaveTheExpectedShape() {
        for (Result r : HashBalanceExperiment.run(SMALL)) {
            assertThat(r.remapFraction()).as(r.toString()).isBetween(0.0, 1.0);
            assertThat(r.maxOverMean()).as(r.toString()).isGreaterThanOrEqualTo(1.0);
            assertThat(r.idealRemapFraction()).isEqualTo(1.0 / 16);
            if (r.mapper().equals("ring hash")) {
                // Consistent hashing moves only the removed bin's keys: its share, about 1/bins.
                assertThat(r.remapFraction()).as(r.toString()).isBetween(0.5 / 16, 2.0 / 16);
            }
            if (r.mapper().startsWith("CHBL")) {
                // Keys stay placed, so no bin passes ceil(1.25 * mean) by more than rounding.
                assertThat(r.maxOverMean()).as(r.toString()).isLessThanOrEqualTo(1.25 + 16.0 / 20_000);
            }
        }
    }

    @Test
    void maglevBalancesBetterThanSinglePointConsistentHashing() {
        List<Result> results = HashBalanceExperiment.run(new Settings(20_000, 16, 7, List.of(KeyDistribution.UNIFORM),
                HashBalanceExperiment.defaultMappers()));
        double maglev = std(results, "Maglev");
        double ch = std(results, "CH (murmur3)");
        assertThat(maglev).isLessThan(ch / 3);
    }

    @Test
    void trainAndTestKeysDiffer() {
        for (KeyDistribution distribution : KeyDistribution.values()) {
            assertThat(HashBalanceExperiment.trainSeed(42, distribution)).isNotEqualTo(HashBalanceExperiment.testSeed(42, distribution));
            assertThat(distribution.keys(10, HashBalanceExperiment.trainSeed(42, distribution)))
                    .isNotEqualTo(distribution.keys(10, HashBalanceExperiment.testSeed(42, distribution)));
        }
    }

    @Test
    void stdIsThePapersPopulationStandardDeviation() {
        BinLoads loads = new BinLoads(new long[] {1, 3, 5, 7});
        assertThat(loads.mean()).isEqualTo(4.0);
        assertThat(loads.std()).isEqualTo(Math.sqrt((9 + 1 + 1 + 9) / 4.0));
        assertThat(loads.maxOverMean()).isEqualTo(7 / 4.0);
    }

    @Test
    void settingsRefuseTooFewBins() {
        assertThatThrownBy(() -> new Settings(10, 1, 1, List.of(), List.of()))
                .hasMessage("bins: 1 (expected: >= 2, one is removed for the remap figure)");
    }

    private static double std(List<Result> results, String mapper) {
        return results.stream().filter(r -> r.mapper().equals(mapper)).findFirst().orElseThrow().std();
    }
}
