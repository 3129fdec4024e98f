package dev.fulcrum.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.metrics.PrometheusRegistries;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Rates and flow-completion-time quantiles over the last ticks, from cumulative totals. */
class BackendTrendTest {

    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100)};

    @Test
    void quantileInterpolatesInsideTheBucketHoldingTheRank() {
        double[] bounds = {1, 5, 10};
        // 10 values: 2 at or below 1, 8 in (1, 5], none above.
        assertThat(BucketQuantile.estimate(0.5, bounds, new double[] {2, 10, 10}, 10)).isEqualTo(1 + 4 * (5 - 2) / 8.0);
        assertThat(BucketQuantile.estimate(0.1, bounds, new double[] {2, 10, 10}, 10)).isEqualTo(0.5);
        assertThat(BucketQuantile.estimate(0.99, bounds, new double[] {0, 0, 10}, 10)).isEqualTo(5 + 5 * 0.99);
        assertThat(BucketQuantile.estimate(0.99, bounds, new double[] {0, 0, 5}, 10)).as("past the last bucket").isEqualTo(10);
        assertThat(BucketQuantile.estimate(0.5, bounds, new double[] {0, 0, 0}, 0)).isNaN();
        assertThatThrownBy(() -> BucketQuantile.estimate(1.5, bounds, new double[3], 1)).hasMessage("q: 1.5 (expected: 0 to 1)");
    }

    @Test
    void windowForgetsWhatIsOlderThanItsSamples() {
        SlidingWindow window = new SlidingWindow(3, 1);
        assertThat(window.spansTime()).isFalse();
        window.add(1_000_000_000L, new double[] {10});
        window.add(2_000_000_000L, new double[] {20});
        assertThat(window.deltas()).containsExactly(10);
        window.add(3_000_000_000L, new double[] {25});
        window.add(4_000_000_000L, new double[] {100});
        assertThat(window.deltas()).as("4 s minus 2 s").containsExactly(80);
        assertThat(window.seconds()).isEqualTo(2.0);
        window.add(5_000_000_000L, new double[] {7});
        assertThat(window.deltas()).as("a counter that restarted counts from zero").containsExactly(7);
    }

    @Test
    void flowCompletionQuantilesCoverOnlyTheWindowOfARealPrometheusTimer() {
        PrometheusMeterRegistry registry = PrometheusRegistries.create();
        Timer timer = Timer.builder("fct").serviceLevelObjectives(BUCKETS).register(registry);
        BackendTrend trend = new BackendTrend(3);
        long second = 1_000_000_000L;
        for (int i = 0; i < 100; i++) {
            timer.record(80, TimeUnit.MILLISECONDS); // long ago: slow flows
        }
        trend.sample(0, 100, timer.takeSnapshot());
        assertThat(trend.fctMillis(0.5)).as("one sample is no window").isNaN();
        trend.sample(second, 100, timer.takeSnapshot());
        assertThat(trend.fctMillis(0.5)).as("no flow ended in the window").isNaN();
        assertThat(trend.flowsPerSecond()).isZero();
        for (int i = 0; i < 100; i++) {
            timer.record(3, TimeUnit.MILLISECONDS); // now: fast flows
        }
        trend.sample(2 * second, 160, timer.takeSnapshot());
        trend.sample(3 * second, 200, timer.takeSnapshot());
        assertThat(trend.fctMillis(0.5)).as("only the fast flows are in the window").isBetween(1.0, 5.0);
        assertThat(trend.fctMillis(0.99)).isBetween(1.0, 5.0);
        assertThat(trend.flowsPerSecond()).isEqualTo((200 - 100) / 2.0);
    }
}
