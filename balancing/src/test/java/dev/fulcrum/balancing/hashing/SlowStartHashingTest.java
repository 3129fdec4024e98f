package dev.fulcrum.balancing.hashing;

import static dev.fulcrum.balancing.hashing.HashingProperties.SEED;
import static dev.fulcrum.balancing.hashing.HashingProperties.flow;
import static dev.fulcrum.balancing.hashing.HashingProperties.keys;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.SlowStart;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Slow start under every hashing policy, with and without bounded load: while a backend ramps, the
 * keys it takes grow with the ramp fraction (about linearly in time), the keys it took stay with it,
 * and the keys it declines go where they went while it was out. The clock is a test's own.
 */
class SlowStartHashingTest {

    private static final int BACKENDS = 10;
    private static final int KEY_COUNT = 40_000;
    private static final long WINDOW = TimeUnit.SECONDS.toNanos(30);

    @ParameterizedTest(name = "{0} boundedLoad={1}")
    @CsvSource({"ring-hash,none", "maglev,none", "jump-hash,none", "rendezvous,none",
            "ring-hash,1.25", "maglev,1.25"})
    void rampingBackendTakesAGrowingStableShareOfItsKeys(String type, String boundedLoad) {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        BackendSet set = HashingProperties.uniform(BACKENDS);
        // No flow is open, so the bound (ring hash and Maglev take one) never binds and both agree.
        BalancingPolicy policy = HashingProperties.policy(type, PickFixture.withBound(Map.of(), boundedLoad), set);
        long[] keys = keys(SEED, KEY_COUNT);
        BackendState ramping = set.get(3);

        BackendState[] full = assign(policy, keys); // everyone in: the key's own backends
        ramping.setDraining(true);
        BackendState[] out = assign(policy, keys); // ramping one out: where its keys go meanwhile

        for (BackendState state : set.states()) {
            state.setSlowStart(new SlowStart(WINDOW, 1.0, 0.05, clock::get));
        }
        ramping.setDraining(false); // comes back: its ramp starts now
        assertThat(ramping.isRamping()).isTrue();

        int ownKeys = 0;
        for (BackendState b : full) {
            ownKeys += b == ramping ? 1 : 0;
        }
        assertThat(ownKeys).isGreaterThan(KEY_COUNT / BACKENDS / 2);

        boolean[] admittedBefore = new boolean[KEY_COUNT];
        double previousShare = 0;
        for (int step = 1; step <= 9; step++) {
            clock.set(1_000_000_000L + WINDOW * step / 10);
            double fraction = ramping.rampFraction();
            assertThat(fraction).isCloseTo(step / 10.0, org.assertj.core.data.Offset.offset(1e-9));
            BackendState[] now = assign(policy, keys);
            int taken = 0;
            for (int k = 0; k < KEY_COUNT; k++) {
                if (now[k] == ramping) {
                    taken++;
                    // only its own keys come to it: the table did not change
                    assertThat(full[k]).isSameAs(ramping);
                } else {
                    // a key it declines is where it went while the backend was out
                    assertThat(now[k]).isSameAs(out[k]);
                }
                if (admittedBefore[k]) {
                    assertThat(now[k]).as("key %d moved to the ramping backend and must stay", k).isSameAs(ramping);
                }
                admittedBefore[k] = now[k] == ramping;
            }
            double share = taken / (double) ownKeys;
            // linear in time: share of its own keys within a few points of the ramp fraction
            assertThat(share).isCloseTo(fraction, org.assertj.core.data.Offset.offset(0.03));
            assertThat(share).isGreaterThanOrEqualTo(previousShare);
            previousShare = share;
        }
        clock.set(1_000_000_000L + WINDOW);
        assertThat(assign(policy, keys)).containsExactly(full);
        assertThat(ramping.isRamping()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ring-hash", "maglev", "jump-hash", "rendezvous"})
    void everyBackendRampingStillServesEveryKey(String type) {
        AtomicLong clock = new AtomicLong();
        BackendSet set = HashingProperties.uniform(4);
        BalancingPolicy policy = HashingProperties.policy(type, Map.of(), set);
        long[] keys = keys(SEED, 2000);
        BackendState[] full = assign(policy, keys);
        for (BackendState state : set.states()) {
            state.setSlowStart(new SlowStart(WINDOW, 1.0, 0.1, clock::get));
            state.startSlowStart();
        }
        // All ramp alike: a declined key finds no admitting backend and keeps its own.
        assertThat(assign(policy, keys)).doesNotContainNull();
        int same = 0;
        BackendState[] now = assign(policy, keys);
        for (int k = 0; k < keys.length; k++) {
            same += now[k] == full[k] ? 1 : 0;
        }
        assertThat(same).isGreaterThan(keys.length / 2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ring-hash", "maglev", "jump-hash", "rendezvous"})
    void pickAllocatesNothingWhileABackendRamps(String type) {
        AtomicLong clock = new AtomicLong();
        BackendSet set = HashingProperties.uniform(BACKENDS);
        BalancingPolicy policy = HashingProperties.policy(type, Map.of(), set);
        set.get(2).setSlowStart(new SlowStart(WINDOW, 2.0, 0.1, clock::get));
        set.get(2).startSlowStart();
        clock.set(WINDOW / 3);
        var flows = PickFixture.flows(SEED);
        for (var f : flows) {
            policy.pick(f); // warm up
        }
        long bytes = HashingProperties.allocatedBytes(() -> {
            for (int round = 0; round < 20; round++) {
                for (var f : flows) {
                    policy.pick(f);
                }
            }
        });
        assertThat(bytes).isLessThan(1024);
    }

    private static BackendState[] assign(BalancingPolicy policy, long[] keys) {
        BackendState[] result = new BackendState[keys.length];
        for (int k = 0; k < keys.length; k++) {
            result[k] = policy.pick(flow(keys[k]));
        }
        return result;
    }
}
