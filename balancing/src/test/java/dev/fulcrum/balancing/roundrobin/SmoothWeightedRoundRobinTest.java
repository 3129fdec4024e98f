package dev.fulcrum.balancing.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.TestBackends;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import static dev.fulcrum.balancing.TestBackends.backends;
import static dev.fulcrum.balancing.TestBackends.flow;

class SmoothWeightedRoundRobinTest {

    static String picks(BalancingPolicy policy, int n) {
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < n; i++) {
            order.append(policy.pick(flow()).backend().name());
        }
        return order.toString();
    }

    @Test
    void ordersTurnsAsNginxDoes() {
        // The example of NGINX's commit that introduced smooth weighted round robin.
        BalancingPolicy policy = Policies.create(backends(5, 1, 1), PolicyConfig.of("round-robin"), null);
        assertThat(picks(policy, 14)).isEqualTo("aabacaa" + "aabacaa");
    }

    @Test
    void equalWeightsAlternate() {
        BalancingPolicy policy = Policies.create(backends(1, 1, 1), PolicyConfig.of("round-robin"), null);
        assertThat(picks(policy, 6)).isEqualTo("abcabc");
    }

    @Test
    void sharesFollowRandomWeightsExactlyOverWholePeriods() {
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < 20; trial++) {
            int n = 2 + random.nextInt(30);
            int[] weights = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = 1 + random.nextInt(100);
                total += weights[i];
            }
            BalancingPolicy policy = Policies.create(backends(weights), PolicyConfig.of("round-robin"), null);
            Map<String, Integer> counts = new TreeMap<>();
            for (int i = 0; i < total * 3; i++) {
                counts.merge(policy.pick(flow()).backend().name(), 1, Integer::sum);
            }
            for (int i = 0; i < n; i++) {
                assertThat(counts.get(TestBackends.name(i))).as("trial %d backend %d", trial, i).isEqualTo(weights[i] * 3);
            }
        }
    }

    @Test
    void hugeWeightsAreScaledToABoundedPeriodKeepingTheirRatio() {
        int[] period = SmoothWeightedRoundRobin.period(backends(1_000_000, 3_000_000, 7));
        assertThat(period.length).isLessThanOrEqualTo(SmoothWeightedRoundRobin.MAX_PERIOD);
        long a = java.util.Arrays.stream(period).filter(i -> i == 0).count();
        long b = java.util.Arrays.stream(period).filter(i -> i == 1).count();
        long c = java.util.Arrays.stream(period).filter(i -> i == 2).count();
        assertThat((double) b / a).isCloseTo(3.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(c).as("a tiny weight keeps at least one turn").isGreaterThanOrEqualTo(1);
    }

    @Test
    void pickSkipsDrainingBackendAndTriedBackend() {
        BackendSet set = backends(1, 1, 1);
        BalancingPolicy policy = Policies.create(set, PolicyConfig.of("round-robin"), null);
        set.get(1).setDraining(true);
        assertThat(picks(policy, 6)).doesNotContain("b").contains("a").contains("c");

        Flow retry = flow();
        retry.markTried(set.get(0));
        retry.markTried(set.get(2));
        assertThat(policy.pick(retry)).as("only b is untried, and it is draining").isNull();
        set.get(1).setDraining(false);
        assertThat(policy.pick(retry).backend().name()).isEqualTo("b");
    }

    @Test
    void shareOfADrainingBackendIsSpreadByWeight() {
        // A heavy backend draining must not push its whole share onto its neighbour in the period.
        assertSharesWithFirstDraining(new int[] {100, 1, 1}, new double[] {0, 0.5, 0.5});
        assertSharesWithFirstDraining(new int[] {5, 1, 1, 3}, new double[] {0, 0.2, 0.2, 0.6});
        assertSharesWithFirstDraining(new int[] {1, 2, 3, 4, 5, 6}, new double[] {0, 2 / 20.0, 3 / 20.0, 4 / 20.0, 5 / 20.0, 6 / 20.0});
    }

    private static void assertSharesWithFirstDraining(int[] weights, double[] expected) {
        BackendSet set = backends(weights);
        set.get(0).setDraining(true);
        BalancingPolicy policy = Policies.create(set, PolicyConfig.of("round-robin"), null);
        int picks = 100_000;
        int[] counts = new int[weights.length];
        for (int i = 0; i < picks; i++) {
            counts[policy.pick(flow()).index()]++;
        }
        for (int i = 0; i < weights.length; i++) {
            assertThat((double) counts[i] / picks).as("weights %s, backend %d", java.util.Arrays.toString(weights), i)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void pickSkipsBackendAtItsConnectionLimit() {
        BackendSet set = BackendSet.of(List.of(new Backend("a", "127.0.0.1", 1, 1, 1), new Backend("b", "127.0.0.1", 2, 1, 0)));
        BalancingPolicy policy = Policies.create(set, PolicyConfig.of("round-robin"), null);
        BackendState a = set.get(0);
        assertThat(a.tryAcquire()).isTrue();
        assertThat(a.tryAcquire()).as("limit of one").isFalse();
        assertThat(picks(policy, 4)).isEqualTo("bbbb");
        a.release();
        assertThat(picks(policy, 2)).contains("a");
    }

    @Test
    void rebuildKeepsTheCursor() {
        BalancingPolicy first = Policies.create(backends(1, 1, 1), PolicyConfig.of("round-robin"), null);
        assertThat(picks(first, 1)).isEqualTo("a");
        BalancingPolicy second = Policies.create(backends(1, 1, 1), PolicyConfig.of("round-robin"), first);
        assertThat(picks(second, 1)).isEqualTo("b");
    }

    @Test
    void emptySetPicksNothing() {
        BalancingPolicy policy = Policies.create(backends(), PolicyConfig.of("round-robin"), null);
        assertThat(policy.pick(flow())).isNull();
    }

    @Test
    void unknownParameterIsAProblemNamingIt() {
        assertThat(Policies.factory("round-robin").validate(new PolicyConfig("round-robin", Map.of("tableSize", 7))))
                .containsExactly("tableSize: unknown parameter for policy round-robin (it takes none)");
    }
}
