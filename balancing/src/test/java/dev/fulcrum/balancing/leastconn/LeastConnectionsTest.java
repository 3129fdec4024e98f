package dev.fulcrum.balancing.leastconn;

import static dev.fulcrum.balancing.TestBackends.backends;
import static dev.fulcrum.balancing.TestBackends.flow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    private static BalancingPolicy policy(BackendSet set) {
        return Policies.create(set, PolicyConfig.of("least-connections"), null);
    }

    @Test
    void picksTheBackendWithFewestActiveFlows() {
        BackendSet set = backends(1, 1, 1);
        set.get(0).tryAcquire();
        set.get(0).tryAcquire();
        set.get(2).tryAcquire();
        assertThat(policy(set).pick(flow()).backend().name()).isEqualTo("b");
    }

    @Test
    void activeFlowsAreWeighed() {
        BackendSet set = backends(4, 1);
        for (int i = 0; i < 3; i++) {
            set.get(0).tryAcquire();
        }
        // (3 + 1) / 4 = 1 < (0 + 1) / 1 = 1 is a tie; one more flow on a tips it.
        set.get(0).tryAcquire();
        assertThat(policy(set).pick(flow()).backend().name()).isEqualTo("b");
    }

    @Test
    void flowsHeldOpenSpreadInProportionToWeights() {
        BackendSet set = backends(3, 2, 1);
        BalancingPolicy policy = policy(set);
        for (int i = 0; i < 600; i++) {
            policy.pick(flow()).tryAcquire();
        }
        assertThat(set.get(0).activeFlows()).isEqualTo(300);
        assertThat(set.get(1).activeFlows()).isEqualTo(200);
        assertThat(set.get(2).activeFlows()).isEqualTo(100);
    }

    @Test
    void tiesAreSpreadNotAlwaysTheFirstBackend() {
        BackendSet set = backends(1, 1, 1, 1);
        BalancingPolicy policy = policy(set);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(policy.pick(flow()).backend().name(), 1, Integer::sum); // nothing acquired: all tie
        }
        assertThat(counts).containsOnlyKeys("a", "b", "c", "d");
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isEqualTo(100));
    }

    @Test
    void randomLoadsAlwaysYieldAMinimalBackend() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(20);
            int[] weights = random.ints(n, 1, 10).toArray();
            BackendSet set = backends(weights);
            for (BackendState state : set.states()) {
                for (int k = random.nextInt(30); k > 0; k--) {
                    state.tryAcquire();
                }
            }
            BackendState picked = policy(set).pick(flow());
            double pickedLoad = (picked.activeFlows() + 1.0) / picked.weight();
            for (BackendState state : set.states()) {
                assertThat(pickedLoad).isLessThanOrEqualTo((state.activeFlows() + 1.0) / state.weight() + 1e-12);
            }
        }
    }

    @Test
    void retrySkipsTheBackendItTried() {
        BackendSet set = backends(1, 1);
        set.get(1).tryAcquire();
        Flow retry = flow();
        retry.markTried(set.get(0));
        assertThat(retry.attempt()).isEqualTo(1);
        assertThat(policy(set).pick(retry).backend().name()).isEqualTo("b");
    }

    @Test
    void triedSetWorksPast64Backends() {
        int[] weights = new int[100];
        java.util.Arrays.fill(weights, 1);
        BackendSet set = backends(weights);
        Flow retry = flow();
        for (int i = 0; i < 99; i++) {
            retry.markTried(set.get(i));
        }
        assertThat(policy(set).pick(retry).index()).isEqualTo(99);
        retry.markTried(set.get(99));
        assertThat(policy(set).pick(retry)).isNull();
    }
}
