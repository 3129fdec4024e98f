package dev.fulcrum.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slow start under the weighted policies: a backend that comes back takes its ramp fraction of its
 * weight's share, growing with time, and its full share once the window is over.
 */
class SlowStartWeightedTest {

    private static final long WINDOW = TimeUnit.SECONDS.toNanos(10);
    private static final int PICKS = 40_000;

    @ParameterizedTest
    @ValueSource(strings = {"random", "round-robin"})
    void shareGrowsWithTheRampFraction(String type) {
        AtomicLong clock = new AtomicLong(5_000);
        BackendSet set = TestBackends.backends(1, 1, 1, 1);
        BalancingPolicy policy = Policies.create(set, new PolicyConfig(type, Map.of()), null);
        BackendState ramping = set.get(0);
        for (BackendState state : set.states()) {
            state.setSlowStart(new SlowStart(WINDOW, 1.0, 0.1, clock::get));
        }
        ramping.setHealthy(false);
        ramping.setHealthy(true); // back up: ramps from now
        double previous = 0;
        for (int step = 1; step <= 10; step++) {
            clock.set(5_000 + WINDOW * step / 10);
            double f = ramping.rampFraction();
            double share = share(policy, ramping);
            // effective weight f against three of weight 1
            double expected = f / (f + 3);
            assertThat(share).as("step %d", step).isCloseTo(expected, Offset.offset(0.02));
            assertThat(share).isGreaterThan(previous - 0.01);
            previous = share;
        }
        assertThat(ramping.isRamping()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"least-connections", "p2c-peak-ewma"})
    void loadAwarePoliciesFillARampingBackendToItsFractionOnly(String type) {
        AtomicLong clock = new AtomicLong();
        BackendSet set = TestBackends.backends(1, 1);
        BalancingPolicy policy = Policies.create(set, new PolicyConfig(type, Map.of()), null);
        for (BackendState state : set.states()) {
            state.setSlowStart(new SlowStart(WINDOW, 1.0, 0.1, clock::get));
        }
        BackendState ramping = set.get(0);
        ramping.startSlowStart();
        clock.set(WINDOW / 4); // fraction 0.25
        long now = clock.get();
        for (BackendState s : set.states()) {
            s.recordLatency(1_000_000, now); // equal latency, so only load and weight decide
        }
        for (int i = 0; i < 1000; i++) {
            BackendState chosen = policy.pick(TestBackends.flow());
            chosen.tryAcquire(); // flows stay open
        }
        double share = ramping.activeFlows() / 1000.0;
        // 0.25 / 1.25 = 0.2 with exact least-connections; p2c over two backends is the same comparison
        assertThat(share).isCloseTo(0.2, Offset.offset(0.03));
    }

    @org.junit.jupiter.api.Test
    void aggressionAndMinimumShapeTheRamp() {
        SlowStart linear = new SlowStart(100, 1.0, 0.1, () -> 0);
        SlowStart aggressive = new SlowStart(100, 2.0, 0.1, () -> 0);
        assertThat(linear.fraction(0)).isEqualTo(0.1);
        assertThat(linear.fraction(50)).isEqualTo(0.5);
        assertThat(aggressive.fraction(25)).isCloseTo(0.5, Offset.offset(1e-12));
        assertThat(linear.fraction(100)).isEqualTo(1.0);
        assertThat(linear.fraction(-5)).isEqualTo(0.1);
    }

    @org.junit.jupiter.api.Test
    void rampStartsOnlyWhenTheBackendComesBack() {
        AtomicLong clock = new AtomicLong();
        BackendState state = TestBackends.backends(1).get(0);
        state.setSlowStart(new SlowStart(WINDOW, 1.0, 0.1, clock::get));
        state.setHealthy(true);
        state.setDraining(false);
        assertThat(state.isRamping()).isFalse();
        state.setDraining(true);
        state.setDraining(false);
        assertThat(state.isRamping()).isTrue();
        assertThat(state.rampedWeight1024()).isEqualTo(102);
        state.setSlowStart(null);
        assertThat(state.rampFraction()).isEqualTo(1.0);
    }

    private static double share(BalancingPolicy policy, BackendState target) {
        int hits = 0;
        for (int i = 0; i < PICKS; i++) {
            hits += policy.pick(TestBackends.flow()) == target ? 1 : 0;
        }
        return hits / (double) PICKS;
    }
}
