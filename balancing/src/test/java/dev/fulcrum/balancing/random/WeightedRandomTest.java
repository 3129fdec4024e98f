package dev.fulcrum.balancing.random;

import static dev.fulcrum.balancing.TestBackends.backends;
import static dev.fulcrum.balancing.TestBackends.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedRandomTest {

    private static final int PICKS = 100_000;
    /** 100k picks put a share within about 0.0016 (one standard deviation) of its weight's; 0.01 is over 6. */
    private static final double SHARE_TOLERANCE = 0.01;

    private static BalancingPolicy seeded(BackendSet set, long seed) {
        return new RandomPolicyFactory(new SplittableRandom(seed)::nextLong).create(set, PolicyConfig.of("random"), null);
    }

    private static double[] shares(BalancingPolicy policy, int backends, Flow flow) {
        int[] counts = new int[backends];
        for (int i = 0; i < PICKS; i++) {
            counts[policy.pick(flow).index()]++;
        }
        double[] shares = new double[backends];
        for (int i = 0; i < backends; i++) {
            shares[i] = (double) counts[i] / PICKS;
        }
        return shares;
    }

    @Test
    void sharesFollowWeights() {
        int[] weights = {1, 2, 3, 4, 10};
        double[] shares = shares(seeded(backends(weights), 42), weights.length, flow());
        for (int i = 0; i < weights.length; i++) {
            assertThat(shares[i]).as("backend %d", i).isCloseTo(weights[i] / 20.0, offset(SHARE_TOLERANCE));
        }
    }

    @Test
    void sharesOfUnusableBackendsGoToTheOthersByWeight() {
        BackendSet set = backends(6, 1, 3, 1);
        set.get(0).setDraining(true);
        Flow retry = flow();
        retry.markTried(set.get(3));
        double[] shares = shares(seeded(set, 43), 4, retry);
        assertThat(shares[0]).isZero();
        assertThat(shares[3]).isZero();
        assertThat(shares[1]).isCloseTo(0.25, offset(SHARE_TOLERANCE));
        assertThat(shares[2]).isCloseTo(0.75, offset(SHARE_TOLERANCE));
    }

    @Test
    void neverPicksAnUnusableBackend() {
        SplittableRandom random = new SplittableRandom(44);
        for (int trial = 0; trial < 2_000; trial++) {
            int n = 1 + random.nextInt(12);
            BackendSet set = backends(random.ints(n, 1, 20).toArray());
            Flow flow = flow();
            for (BackendState state : set.states()) {
                switch (random.nextInt(4)) {
                    case 0 -> state.setDraining(true);
                    case 1 -> flow.markTried(state);
                    default -> { }
                }
            }
            boolean anyUsable = set.states().stream().anyMatch(flow::canUse);
            BackendState picked = seeded(set, trial).pick(flow);
            if (anyUsable) {
                assertThat(picked).as("trial %d", trial).isNotNull();
                assertThat(flow.canUse(picked)).as("trial %d", trial).isTrue();
            } else {
                assertThat(picked).as("trial %d", trial).isNull();
            }
        }
    }

    @Test
    void aBackendAtItsConnectionLimitIsSkipped() {
        BackendSet set = BackendSet.of(List.of(new Backend("a", "127.0.0.1", 1, 100, 1), new Backend("b", "127.0.0.1", 2, 1, 0)));
        assertThat(set.get(0).tryAcquire()).isTrue();
        BalancingPolicy policy = seeded(set, 45);
        for (int i = 0; i < 1_000; i++) {
            assertThat(policy.pick(flow()).backend().name()).isEqualTo("b");
        }
    }

    @Test
    void retryAvoidsTheBackendItTried() {
        BackendSet set = backends(1_000, 1);
        BalancingPolicy policy = seeded(set, 46);
        Flow retry = flow();
        retry.markTried(set.get(0));
        for (int i = 0; i < 1_000; i++) {
            assertThat(policy.pick(retry).backend().name()).as("the tried backend holds 99.9% of the weight").isEqualTo("b");
        }
    }

    @Test
    void emptySetPicksNothing() {
        assertThat(seeded(backends(), 47).pick(flow())).isNull();
        BackendSet one = backends(1);
        one.get(0).setDraining(true);
        assertThat(seeded(one, 48).pick(flow())).isNull();
    }

    @Test
    void isFoundByItsTypeAndTakesNoParameters() {
        BalancingPolicy policy = Policies.create(backends(1, 1), PolicyConfig.of("random"), null);
        assertThat(policy).isInstanceOf(WeightedRandom.class);
        assertThat(policy.pick(flow())).isNotNull();
        assertThat(Policies.factory("random").validate(new PolicyConfig("random", Map.of("seed", 7))))
                .containsExactly("seed: unknown parameter for policy random (it takes none)");
    }
}
