package dev.fulcrum.learned.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FlowRewardTest {

    private final FlowReward paper = new FlowReward(FlowReward.PAPER_BETA);

    @Test
    void rewardIsTheWeightedSumOfOwnThroughputTermAndChildReward() {
        // beta * minRTT/RTT * (1 - loss) + (1 - beta) * r = 0.5 * 0.25 * 0.8 + 0.5 * 0.6
        assertThat(paper.reward(1.0, 4.0, 0.2, 0.6)).isCloseTo(0.1 + 0.3, within(1e-12));
    }

    @Test
    void anUncongestedHopWithAPerfectChildEarnsOne() {
        assertThat(paper.reward(0.3, 0.3, 0, 1)).isEqualTo(1.0);
    }

    @Test
    void rewardFallsAsRttGrowsAndAsLossGrows() {
        assertThat(paper.reward(1, 2, 0, 0.5)).isLessThan(paper.reward(1, 1.5, 0, 0.5));
        assertThat(paper.reward(1, 1, 0.3, 0.5)).isLessThan(paper.reward(1, 1, 0.1, 0.5));
    }

    @Test
    void withoutFeedbackTheChildRewardIsIgnored() {
        FlowReward ifsRl = FlowReward.withoutFeedback();
        assertThat(ifsRl.reward(1, 2, 0.5, 0)).isEqualTo(ifsRl.reward(1, 2, 0.5, 1)).isEqualTo(0.25);
        // Even a child reward that would be refused with feedback does not matter.
        assertThat(ifsRl.reward(1, 1, 0, Double.NaN)).isEqualTo(1.0);
    }

    @Test
    void aMinimumAboveTheSampleCountsAsTheSample() {
        assertThat(paper.reward(5, 2, 0, 0)).isEqualTo(0.5);
    }

    @Test
    void badMeasurementsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> paper.reward(1, 0, 0, 0)).hasMessageContaining("rtt: 0.0");
        assertThatThrownBy(() -> paper.reward(Double.NaN, 1, 0, 0)).hasMessageContaining("minRtt: NaN");
        assertThatThrownBy(() -> paper.reward(1, 1, 1.5, 0)).hasMessageContaining("loss: 1.5");
        assertThatThrownBy(() -> paper.reward(1, 1, 0, -0.1)).hasMessageContaining("childReward: -0.1");
        assertThatThrownBy(() -> new FlowReward(1.2)).hasMessageContaining("beta: 1.2");
    }
}
