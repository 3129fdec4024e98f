package dev.fulcrum.metrics.feature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelReducerTest {

    private static Reservoir of(int capacity, double... values) {
        Reservoir reservoir = new Reservoir(capacity, 3);
        for (double v : values) {
            reservoir.add(v);
        }
        return reservoir;
    }

    @Test
    void summaryIsExactWhenNoReservoirOverflowed() {
        ChannelSummary summary = new ChannelReducer(0.9).reduce(List.of(of(16, 1, 2, 3, 4, 5), of(16, 6, 7, 8, 9, 10)));
        assertThat(summary.count()).isEqualTo(10);
        assertThat(summary.mean()).isEqualTo(5.5);
        assertThat(summary.std()).isCloseTo(Math.sqrt(8.25), offset(1e-12));
        assertThat(summary.p90()).isEqualTo(9.0); // nearest rank: the 9th of 10
        assertThat(summary.emaMean()).as("the first tick starts the average").isEqualTo(5.5);
        assertThat(summary.emaP90()).isEqualTo(9.0);
    }

    @Test
    void loopsAreWeightedByHowMuchTheySaw() {
        double[] busy = new double[1000];
        java.util.Arrays.fill(busy, 1.0);
        ChannelSummary summary = new ChannelReducer(0.9).reduce(List.of(of(10, busy), of(10, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)));
        assertThat(summary.count()).isEqualTo(1010);
        assertThat(summary.mean()).isCloseTo((1000 * 1.0 + 10 * 2.0) / 1010, offset(1e-12));
        assertThat(summary.p90()).as("the busy loop's value dominates the distribution").isEqualTo(1.0);
    }

    @Test
    void movingAveragesFollowTheDecayAndAnEmptyTickKeepsThem() {
        ChannelReducer reducer = new ChannelReducer(0.9);
        reducer.reduce(List.of(of(4, 10)));
        ChannelSummary second = reducer.reduce(List.of(of(4, 20)));
        assertThat(second.emaMean()).isCloseTo(0.9 * 10 + 0.1 * 20, offset(1e-12));
        ChannelSummary empty = reducer.reduce(List.of(of(4)));
        assertThat(empty.count()).isZero();
        assertThat(empty.mean()).isZero();
        assertThat(empty.emaMean()).isEqualTo(second.emaMean());
        assertThat(empty.emaP90()).isEqualTo(second.emaP90());
    }

    @Test
    void decayMustBeStrictlyBetweenZeroAndOne() {
        assertThatThrownBy(() -> new ChannelReducer(1.0)).hasMessage("decay: 1.0 (expected: > 0 and < 1)");
        assertThatThrownBy(() -> new ChannelReducer(Double.NaN)).hasMessage("decay: NaN (expected: > 0 and < 1)");
    }
}
