package dev.fulcrum.learned.hash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.Fixtures;
import dev.fulcrum.learned.ModelRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LearnedHashPolicyTest {

    @AfterEach
    void forget() {
        ModelRegistry.global().close();
    }

    private static BalancingPolicy policy(Map<String, Object> extra) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            backends.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        Map<String, Object> parameters = new java.util.HashMap<>(extra);
        parameters.put("model", Fixtures.model("learned-hash.onnx").toString());
        return Policies.create(BackendSet.of(backends), new PolicyConfig("learned-hash", parameters), null);
    }

    @Test
    void theServiceLoaderFindsItAndItsParametersAreChecked() {
        assertThat(Policies.types()).contains("learned-hash");
        assertThat(Policies.factory("learned-hash").validate(new PolicyConfig("learned-hash",
                Map.of("fallback", "learned-hash", "boundedLoad", 125, "extra", 1))))
                .containsExactly("extra: unknown parameter for policy learned-hash (expected one of [model, name, fallback, boundedLoad, driftThreshold, maxImbalance, driftMinKeys, driftHalfLife])",
                        "model: absent (expected: the path of a learned-hash .onnx file)",
                        "fallback: learned-hash (expected one of " + Policies.types().stream().filter(t -> !t.equals("learned-hash")).toList() + ")",
                        "boundedLoad: 125 (expected: a factor > 1 and <= 10, e.g. 1.25; Envoy's hash_balance_factor 125 is a percentage, 1.25 here)");
    }

    @Test
    void picksFollowTheCompiledPositionsAndAllocateNothing() {
        BalancingPolicy policy = policy(Map.of());
        LearnedHashPolicy learned = (LearnedHashPolicy) policy;
        CompiledLearnedHash model = learned.slot().compiled();
        SplittableRandom random = new SplittableRandom(8);
        Flow[] flows = new Flow[1024];
        for (int i = 0; i < flows.length; i++) {
            flows[i] = new Flow(random.nextLong(), Math.exp(random.nextGaussian()), null);
        }
        for (Flow flow : flows) {
            long position = LearnedHashFunction.scaled(model.position(flow.rawKey()));
            assertThat(policy.pick(flow)).isSameAs(learned.ring().at(0, learned.ring().first(position)));
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 20; round++) { // warm up, so the JIT has removed what escape analysis can
            for (Flow flow : flows) {
                policy.pick(flow);
            }
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 100; round++) {
            for (Flow flow : flows) {
                policy.pick(flow);
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 102400 picks").isLessThan(102_400); // < 1 byte a pick
    }
}
