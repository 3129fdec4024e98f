package dev.fulcrum.proxy.qnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fulcrum.learned.rl.FlowReward;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolRewardsTest {

    private static FeatureVector vector(String backend, int flows, double connectSeconds, double retrans, double packets) {
        double[] values = new double[FeatureSchema.width()];
        Arrays.fill(values, Double.NaN);
        values[FeatureSchema.N_F] = flows;
        values[FeatureSchema.N_RTR] = retrans;
        values[FeatureSchema.N_P] = packets;
        values[FeatureSchema.column(FeatureSchema.LAT_SA, 0)] = connectSeconds;
        return new FeatureVector(FeatureSchema.VERSION, 1000, 250, "p", backend, values);
    }

    private static FeatureVector withFct(FeatureVector vector, int ended, double meanSeconds) {
        double[] values = vector.values().clone();
        values[FeatureSchema.N_FCT] = ended;
        values[FeatureSchema.column(FeatureSchema.FCT, 0)] = meanSeconds;
        return new FeatureVector(vector.schemaVersion(), vector.timestampMillis(), vector.tickMillis(), vector.pool(), vector.backend(), values);
    }

    private static final Map<String, Integer> INDEX = Map.of("a", 0, "b", 1);

    @Test
    void rewardFollowsFormulaFiveWithTheShortestRttSeenSoFar() {
        PoolRewards rewards = new PoolRewards();
        FlowReward half = new FlowReward(0.5);
        List<PoolRewards.Sample> first = rewards.update(List.of(vector("a", 2, 0.001, 0, 10), vector("b", 0, 0.002, 0, 0)),
                INDEX::get, half, k -> 0.6);
        assertThat(first).hasSize(1); // b took no flow: no sample
        assertThat(first.get(0).reward()).isCloseTo(0.5 * 1 + 0.5 * 0.6, within(1e-12));
        // RTT doubled, 1 retransmission in 4 socket operations: 0.5 * (0.001/0.002) * (1 - 0.25) + 0.5 * 0.6
        List<PoolRewards.Sample> second = rewards.update(List.of(vector("a", 6, 0.002, 1, 3)), INDEX::get, half, k -> 0.6);
        assertThat(second.get(0).minRtt()).isEqualTo(0.001);
        assertThat(second.get(0).loss()).isEqualTo(0.25);
        assertThat(second.get(0).reward()).isCloseTo(0.5 * 0.5 * 0.75 + 0.3, within(1e-12));
        assertThat(rewards.reward()).isCloseTo(second.get(0).reward(), within(1e-12));
    }

    @Test
    void withoutAFreshChildReportOnlyThisHopCounts() {
        PoolRewards rewards = new PoolRewards();
        List<PoolRewards.Sample> samples = rewards.update(List.of(vector("a", 1, 0.004, 0, 0)), INDEX::get, new FlowReward(0.5), k -> null);
        assertThat(samples.get(0).reward()).isEqualTo(1.0);
        assertThat(samples.get(0).childReward()).isNull();
    }

    @Test
    void theTicksFctIsAbsentWhenNoFlowEnded() {
        PoolRewards rewards = new PoolRewards();
        FeatureVector none = withFct(vector("a", 2, 0.001, 0, 0), 0, 0); // an empty channel's mean reads 0
        FeatureVector ended = withFct(vector("b", 2, 0.001, 0, 0), 3, 1.5);
        List<PoolRewards.Sample> samples = rewards.update(List.of(none, ended), INDEX::get, new FlowReward(0.5), k -> null);
        assertThat(samples.get(0).fct()).isNaN();
        assertThat(samples.get(1).fct()).isEqualTo(1.5);
    }

    @Test
    void aTickWithNoFlowsKeepsThePreviousPoolReward() {
        PoolRewards rewards = new PoolRewards();
        rewards.update(List.of(vector("a", 1, 0.001, 0, 0), vector("b", 3, 0.001, 0, 0)), INDEX::get, new FlowReward(0.5), k -> k == 0 ? 0.0 : 1.0);
        assertThat(rewards.reward()).isCloseTo((0.5 * 1 + 3 * 1.0) / 4, within(1e-12)); // flow-weighted
        rewards.update(List.of(vector("a", 0, Double.NaN, 0, 0)), INDEX::get, new FlowReward(0.5), k -> null);
        assertThat(rewards.reward()).isCloseTo(0.875, within(1e-12));
    }
}
