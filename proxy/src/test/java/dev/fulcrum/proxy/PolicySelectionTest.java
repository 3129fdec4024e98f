package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Policies;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every policy type, selected as a pool's policy, carries real flows; hashing ones keep a key on one backend. */
class PolicySelectionTest {

    private static final Set<String> HASHING = Set.of("ring-hash", "maglev", "jump-hash", "rendezvous");
    private static final int FLOWS = 12;

    static List<String> types() {
        // learned-hash, load-aware and q-network need a model file: ModelsApiTest, LoadAwarePolicyProxyTest and
        // TwoTierFeedbackTest carry flows through them.
        return Policies.types().stream()
                .filter(type -> !type.equals("learned-hash") && !type.equals("load-aware") && !type.equals("q-network"))
                .toList();
    }

    @Test
    void everyPolicyOfTheIssueIsOnTheClassPath() {
        assertThat(Policies.types()).contains("round-robin", "least-connections", "random", "p2c-peak-ewma",
                "ring-hash", "maglev", "jump-hash", "rendezvous");
    }

    @ParameterizedTest
    @MethodSource("types")
    void policyCarriesFlowsAndHashingKeepsAClientOnOneBackend(String type) throws Exception {
        try (TestServer a = ConnectFailureTest.greeter("a");
                TestServer b = ConnectFailureTest.greeter("b");
                TestServer c = ConnectFailureTest.greeter("c");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().policy(type).key(FlowKey.CLIENT_ADDRESS)
                        .backend(a.port()).backend(b.port()).backend(c.port()).build())) {
            Map<String, Integer> served = new HashMap<>();
            for (int i = 0; i < FLOWS; i++) {
                served.merge(ConnectFailureTest.greeting(proxy), 1, Integer::sum);
            }
            assertThat(served.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(FLOWS);
            assertThat(served.keySet()).isSubsetOf("a", "b", "c");
            if (HASHING.contains(type)) {
                assertThat(served).as("every flow from 127.0.0.1 keyed by client address").hasSize(1);
            }
            if (type.equals("round-robin")) {
                assertThat(served).containsOnly(Map.entry("a", 4), Map.entry("b", 4), Map.entry("c", 4));
            }
        }
    }
}
