package dev.fulcrum.learned.qnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.Fixtures;
import dev.fulcrum.learned.ModelRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QNetworkPolicyTest {

    @AfterEach
    void forget() {
        ModelRegistry.global().close();
    }

    private static QNetworkPolicy policy(int backends, String fixture, Map<String, Object> extra) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            list.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        Map<String, Object> parameters = new HashMap<>(extra);
        if (fixture != null) {
            parameters.putIfAbsent("model", Fixtures.model(fixture).toString());
        }
        return (QNetworkPolicy) Policies.create(BackendSet.of(list), new PolicyConfig("q-network", parameters), null);
    }

    private static int[] counts(BalancingPolicy policy, int flows) {
        int[] counts = new int[policy.backends().size()];
        for (int i = 0; i < flows; i++) {
            counts[policy.pick(new Flow(i, null, null)).index()]++;
        }
        return counts;
    }

    @Test
    void parametersAreCheckedWithClearErrors() {
        List<String> problems = Policies.factory("q-network").validate(new PolicyConfig("q-network", Map.of(
                "temperature", 0, "beta", 1.5, "fallback", "q-network", "feedback", Map.of("b0", "ftp://x"),
                "feedbackTimeout", "soon", "modle", "x.onnx")));
        assertThat(problems).containsExactly(
                "modle: unknown parameter for policy q-network (expected one of [model, name, temperature, beta, fallback, feedback,"
                        + " feedbackTimeout, transitions])",
                "model: absent (expected: the path of a q-network .onnx file)",
                "fallback: q-network (expected one of " + Policies.types().stream().filter(t -> !t.equals("q-network")).toList() + ")",
                "temperature: 0 (expected: a finite number > 0)",
                "beta: 1.5 (expected: a number from 0 to 1; 0.5 in the paper, 1 for no feedback)",
                "feedback.b0: ftp://x (expected: an http URL such as http://127.0.0.1:9901/api/feedback)",
                "feedbackTimeout: soon (expected: a duration such as 250ms, 2s, 5m or 1h)");
    }

    @Test
    void aTickPublishesTheBoltzmannDistributionOfTheModelsQValues() {
        QNetworkPolicy policy = policy(3, "qnet/least-loaded.onnx", Map.of("temperature", 2.0));
        for (int i = 0; i < 10; i++) {
            policy.backends().get(0).tryAcquire(); // b0 holds 10 flows, b1 and b2 none
        }
        QNetworkPolicy.Tick tick = policy.tick(new int[] {0, 5, 0}); // b1's child reports 5 flows from another parent
        assertThat(tick.outcome()).isEqualTo("inferred");
        assertThat(tick.own()).containsExactly(10, 0, 0);
        assertThat(tick.others()).containsExactly(0, 5, 0);
        // least-loaded: Q_k = -5 * (own_k + others_k) / flowScale 10
        Map<String, Map<String, Double>> insight = policy.insight();
        assertThat(insight.get("b0").get("qValue")).isCloseTo(-5.0, within(1e-6));
        assertThat(insight.get("b1").get("qValue")).isCloseTo(-2.5, within(1e-6));
        assertThat(insight.get("b2").get("qValue")).isCloseTo(0.0, within(1e-6));
        double[] e = {Math.exp(-5.0 / 2), Math.exp(-2.5 / 2), 1};
        double sum = e[0] + e[1] + e[2];
        for (int k = 0; k < 3; k++) {
            assertThat(insight.get("b" + k).get("selectionProbability")).isCloseTo(e[k] / sum, within(1e-9));
        }
        int[] counts = counts(policy, 60_000);
        for (int k = 0; k < 3; k++) {
            assertThat(counts[k] / 60_000.0).as("share of b%d", k).isCloseTo(e[k] / sum, within(0.01));
        }
    }

    @Test
    void theStateIsOnlyInferredAgainWhenItMoves() {
        QNetworkPolicy policy = policy(2, "qnet/least-loaded.onnx", Map.of());
        assertThat(policy.tick(null).outcome()).isEqualTo("inferred");
        assertThat(policy.tick(null).outcome()).isEqualTo("unchanged");
        policy.backends().get(1).tryAcquire();
        assertThat(policy.tick(null).outcome()).isEqualTo("inferred");
        assertThat(policy.inferences()).isEqualTo(2);
        assertThat(policy.unchangedTicks()).isEqualTo(1);
    }

    @Test
    void withoutFeedbackTheChildrensReportsStayOutOfTheState() {
        QNetworkPolicy policy = policy(2, "qnet/least-loaded.onnx", Map.of("beta", 1.0));
        QNetworkPolicy.Tick tick = policy.tick(new int[] {0, 50});
        assertThat(tick.others()).containsExactly(0, 0);
        assertThat(policy.snapshot().probability(0)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void theFallbackPicksUntilAModelAnswersAndWhenTheModelIsTooSmall(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("q.onnx");
        QNetworkPolicy policy = policy(3, null, Map.of("model", missing.toString(), "fallback", "round-robin"));
        assertThat(policy.tick(null).outcome()).startsWith("fallback: no model loaded");
        assertThat(counts(policy, 300)).containsExactly(100, 100, 100); // round robin
        assertThat(policy.insight()).isEmpty();

        Fixtures.renameOver("qnet/two-slots.onnx", missing); // hot swap: a model for 2 children, the pool has 3
        assertThat(ModelRegistry.global().reload("q").result()).isEqualTo("swapped");
        assertThat(policy.tick(null).outcome())
                .isEqualTo("fallback: model two-slots has 2 action slots (expected: >= 3, the pool's backends)");
        assertThat(policy.usesModel()).isFalse();

        Fixtures.renameOver("qnet/least-loaded.onnx", missing);
        assertThat(ModelRegistry.global().reload("q").result()).isEqualTo("swapped");
        assertThat(policy.tick(null).outcome()).isEqualTo("inferred");
        assertThat(policy.usesModel()).isTrue();
    }

    @Test
    void aHotSwappedModelIsUsedAtTheNextTick(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("q.onnx");
        Fixtures.renameOver("qnet/least-loaded.onnx", file);
        QNetworkPolicy policy = policy(2, null, Map.of("model", file.toString()));
        for (int i = 0; i < 20; i++) {
            policy.backends().get(0).tryAcquire();
        }
        policy.tick(null);
        assertThat(policy.snapshot().probability(1)).isGreaterThan(0.99); // least-loaded: away from b0
        Fixtures.renameOver("qnet/most-loaded.onnx", file);
        assertThat(ModelRegistry.global().reload("q").result()).isEqualTo("swapped");
        assertThat(policy.tick(null).outcome()).isEqualTo("inferred"); // same state, new model
        assertThat(policy.snapshot().probability(0)).isGreaterThan(0.99);
    }

    @Test
    void nanQValuesKeepTheLastGoodDistribution() {
        QNetworkPolicy policy = policy(4, "qnet/nan-when-idle.onnx", Map.of());
        BackendSet backends = policy.backends();
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i <= 10 * (k + 2); i++) {
                backends.get(k).tryAcquire(); // every child loaded: sqrt of a positive number
            }
        }
        assertThat(policy.tick(null).outcome()).isEqualTo("inferred");
        double before = policy.snapshot().probability(3);
        for (int i = 0; i < 50; i++) {
            backends.get(3).release(); // b3 idle: its Q is NaN
        }
        assertThat(policy.tick(null).outcome()).startsWith("refused, last distribution kept: q[3]: NaN");
        assertThat(policy.usesModel()).isTrue();
        assertThat(policy.snapshot().probability(3)).isEqualTo(before);
        assertThat(policy.failures()).isEqualTo(1);
    }

    @Test
    void aModelOnAnotherStateLayoutIsRefusedAtLoad() {
        QNetworkPolicy policy = policy(2, "qnet/wrong-state-schema.onnx", Map.of());
        assertThat(policy.slot().compiled()).isNull();
        assertThat((String) policy.slot().status().get("lastError"))
                .endsWith("wrong-state-schema.onnx: fulcrum.stateSchema: q-state-v0 (expected: q-state-v1)");
        ModelRegistry.global().close();
        QNetworkPolicy noScale = policy(2, "qnet/no-flow-scale.onnx", Map.of());
        assertThat((String) noScale.slot().status().get("lastError"))
                .endsWith("fulcrum.flowScale: zero (expected: a finite number > 0, the flow count the trainer divided by)");
        assertThat(noScale.tick(null).outcome()).startsWith("fallback: no model loaded");
    }

    @Test
    void aDrawnChildThatCannotTakeTheFlowGoesToTheFallback() {
        QNetworkPolicy policy = policy(2, "qnet/least-loaded.onnx", Map.of("fallback", "round-robin"));
        policy.tick(null);
        BackendState b0 = policy.backends().get(0);
        b0.setDraining(true); // drawn half the time, never used
        assertThat(counts(policy, 1000)).containsExactly(0, 1000);
    }

    @Test
    void picksAllocateNothing() {
        QNetworkPolicy policy = policy(4, "qnet/least-loaded.onnx", Map.of());
        policy.tick(null);
        Flow[] flows = new Flow[1024];
        for (int i = 0; i < flows.length; i++) {
            flows[i] = new Flow(i, null, null);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 20; round++) {
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
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated by 102400 picks").isLessThan(102_400);
    }

    @Test
    void aNonExistentModelFileIsNotAConfigurationError() {
        assertThat(Files.exists(Path.of("no-such.onnx"))).isFalse();
        QNetworkPolicy policy = policy(2, null, Map.of("model", "no-such.onnx"));
        assertThat(policy.tick(null).outcome()).contains("no model loaded");
    }
}
