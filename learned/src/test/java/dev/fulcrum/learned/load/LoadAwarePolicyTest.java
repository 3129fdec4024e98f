package dev.fulcrum.learned.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.learned.Fixtures;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load-aware policy without sockets: fixture models whose output is known, feature vectors made by hand. */
class LoadAwarePolicyTest {

    private static final int N_OPEN = FeatureSchema.columns().indexOf("n_open");

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    private static BackendSet threeBackends() {
        return BackendSet.of(List.of(new Backend("a", "127.0.0.1", 1, 1, 0), new Backend("b", "127.0.0.1", 2, 1, 0),
                new Backend("c", "127.0.0.1", 3, 1, 0)));
    }

    private static LoadAwarePolicy policy(BackendSet backends, String fixture, Map<String, Object> more) {
        Map<String, Object> parameters = new HashMap<>(more);
        parameters.put("model", Fixtures.model(fixture).toString());
        parameters.put("name", fixture.replace(".onnx", ""));
        return (LoadAwarePolicy) Policies.create(backends, new PolicyConfig("load-aware", parameters), null);
    }

    private static List<FeatureVector> tick(double a, double b, double c) {
        List<FeatureVector> vectors = new ArrayList<>();
        String[] names = {"a", "b", "c"};
        double[] open = {a, b, c};
        for (int i = 0; i < 3; i++) {
            double[] values = new double[FeatureSchema.width()];
            values[N_OPEN] = open[i];
            vectors.add(new FeatureVector(1, 0, 250, "web", names[i], values));
        }
        return vectors;
    }

    private static Map<String, Integer> pickMany(LoadAwarePolicy policy, int flows) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < flows; i++) {
            BackendState picked = policy.pick(new Flow(i, null, new InetSocketAddress("127.0.0.1", 1000 + i)));
            counts.merge(picked.backend().name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void predictedLoadsBecomeWeightsAndFlowsFollowThem() {
        LoadAwarePolicy policy = policy(threeBackends(), "load-open-flows.onnx", Map.of("smoothing", 1.0, "loadOffset", 1.0));
        // no mapping given: the default, inverse-load
        assertThat(policy.fallingBack()).as("no features yet").isTrue();
        for (int t = 0; t < 4; t++) {
            policy.onTick(tick(0, 1, 7));
        }
        assertThat(policy.fallingBack()).isFalse();
        Map<String, Map<String, Double>> insight = policy.insight();
        assertThat(insight.get("c").get("predictedLoad")).isEqualTo(7.0);
        assertThat(insight.get("a").get("weight")).isEqualTo(1.0);
        assertThat(insight.get("b").get("weight")).isEqualTo(0.5);
        assertThat(insight.get("c").get("weight")).isEqualTo(0.125);
        assertThat(insight.get("a")).as("inverse-load estimates no capacity").doesNotContainKey("capacity");
        // No flow is open: (0 + 1) / weight always favours a; the rule needs flows held open to spread.
        assertThat(pickMany(policy, 30)).containsOnlyKeys("a");
    }

    @Test
    void heldFlowsSpreadInProportionToWeight() {
        BackendSet backends = threeBackends();
        LoadAwarePolicy policy = policy(backends, "load-open-flows.onnx", Map.of("mapping", "inverse-load", "smoothing", 1.0));
        for (int t = 0; t < 4; t++) {
            policy.onTick(tick(0, 1, 7));
        }
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 130; i++) {
            BackendState picked = policy.pick(new Flow(i, null, null));
            picked.tryAcquire(); // the flow stays open
            counts.merge(picked.backend().name(), 1, Integer::sum);
        }
        // weights 1 : 0.5 : 0.125 -> 8 : 4 : 1 of 130 flows
        assertThat(counts.get("a")).isBetween(79, 81);
        assertThat(counts.get("b")).isBetween(39, 41);
        assertThat(counts.get("c")).isBetween(9, 11);
    }

    @Test
    void theWindowAveragesTheLastTicksAndAShortHistoryIsPadded() {
        LoadAwarePolicy policy = policy(threeBackends(), "load-open-flows.onnx", Map.of("smoothing", 1.0));
        policy.onTick(tick(4, 0, 0));
        assertThat(policy.insight().get("a").get("predictedLoad")).as("one tick repeated over the window").isEqualTo(4.0);
        policy.onTick(tick(0, 0, 0));
        assertThat(policy.insight().get("a").get("predictedLoad")).as("4, 4, 4 (padded), 0").isEqualTo(3.0);
        policy.onTick(tick(0, 0, 0));
        policy.onTick(tick(0, 0, 0));
        policy.onTick(tick(8, 0, 0));
        assertThat(policy.insight().get("a").get("predictedLoad")).as("the last four: 0, 0, 0, 8").isEqualTo(2.0);
    }

    @Test
    void aFailingModelHandsOverToTheFallbackAndBackAgain() {
        LoadAwarePolicy policy = policy(threeBackends(), "load-sqrt-open-flows.onnx", Map.of("fallback", "round-robin"));
        for (int t = 0; t < 4; t++) {
            policy.onTick(tick(0, 1, 4));
        }
        assertThat(policy.fallingBack()).isFalse();
        assertThat(policy.insight().get("c").get("predictedLoad")).isEqualTo(2.0);
        for (int t = 0; t < 4; t++) {
            policy.onTick(tick(-1, -1, -1)); // sqrt of a negative mean: NaN
        }
        assertThat(policy.fallingBack()).isTrue();
        assertThat(policy.failures()).isPositive();
        assertThat(policy.insight()).isEmpty();
        assertThat(pickMany(policy, 30)).as("round robin").containsOnly(Map.entry("a", 10), Map.entry("b", 10), Map.entry("c", 10));
        for (int t = 0; t < 4; t++) {
            policy.onTick(tick(1, 1, 1));
        }
        assertThat(policy.fallingBack()).isFalse();
    }

    @Test
    void aMissingModelFallsBackToLeastConnectionsByDefault() {
        Map<String, Object> parameters = Map.of("model", dir.resolve("absent.onnx").toString(), "name", "absent");
        LoadAwarePolicy policy = (LoadAwarePolicy) Policies.create(threeBackends(), new PolicyConfig("load-aware", parameters), null);
        policy.onTick(tick(0, 0, 0));
        assertThat(policy.fallingBack()).isTrue();
        assertThat(policy.fallback().getClass().getSimpleName()).isEqualTo("LeastConnections");
        assertThat(policy.slot().status().get("lastError").toString()).contains("absent.onnx");
        assertThat(pickMany(policy, 3)).hasSize(3);
    }

    @Test
    void aModelNamingUnknownFeaturesIsRefusedWithTheirNames() {
        LoadAwarePolicy policy = policy(threeBackends(), "load-unknown-feature.onnx", Map.of());
        assertThat(policy.slot().compiled()).isNull();
        assertThat(policy.slot().status().get("lastError").toString())
                .contains("fulcrum.featureNames: [cpu_usage] (expected: columns of feature schema v1");
    }

    @Test
    void aReloadKeepsTheHistoryAndWeightsOfBackendsThatStay() {
        LoadAwarePolicy first = policy(threeBackends(), "load-open-flows.onnx", Map.of("mapping", "inverse-load", "smoothing", 1.0));
        for (int t = 0; t < 4; t++) {
            first.onTick(tick(0, 1, 7));
        }
        BackendSet next = BackendSet.of(List.of(new Backend("c", "127.0.0.1", 3, 1, 0), new Backend("a", "127.0.0.1", 1, 1, 0)));
        Map<String, Object> parameters = Map.of("model", Fixtures.model("load-open-flows.onnx").toString(), "name", "load-open-flows",
                "mapping", "inverse-load", "smoothing", 1.0);
        LoadAwarePolicy second = (LoadAwarePolicy) Policies.create(next, new PolicyConfig("load-aware", parameters), first);
        assertThat(second.fallingBack()).isFalse();
        assertThat(second.insight().get("c").get("weight")).isEqualTo(0.125);
        assertThat(second.insight()).containsOnlyKeys("c", "a");
    }

    private static void hold(BackendSet backends, int... flows) {
        for (int i = 0; i < flows.length; i++) {
            for (int f = 0; f < flows[i]; f++) {
                backends.get(i).tryAcquire();
            }
        }
    }

    @Test
    void capacityWeightsFollowActiveFlowsOverPredictedPressure() {
        BackendSet backends = threeBackends();
        LoadAwarePolicy policy = policy(backends, "load-open-flows.onnx", Map.of("mapping", "capacity", "capacitySmoothing", 1.0));
        hold(backends, 4, 4, 4);
        for (int t = 0; t < 4; t++) {
            policy.onTick(tick(1, 2, 2)); // the fixture predicts n_open: pressures 1, 2, 2 with 4 flows each
        }
        Map<String, Map<String, Double>> insight = policy.insight();
        assertThat(insight.get("a").get("capacity")).isEqualTo(4.0);
        assertThat(insight.get("b").get("capacity")).isEqualTo(2.0);
        assertThat(insight.get("a").get("weight")).isEqualTo(1.0);
        assertThat(insight.get("b").get("weight")).isEqualTo(0.5);
        assertThat(insight.get("c").get("weight")).isEqualTo(0.5);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            BackendState picked = policy.pick(new Flow(i, null, null));
            picked.tryAcquire();
            counts.merge(picked.backend().name(), 1, Integer::sum);
        }
        // (active + 1) / weight evens out at 56 : 28 : 28 of the 112 flows, 4 of each held before
        assertThat(counts.get("a")).isBetween(51, 53);
        assertThat(counts.get("b")).isBetween(23, 25);
        assertThat(counts.get("c")).isBetween(23, 25);
    }

    @Test
    void withoutEnoughFlowsForAnEstimateCapacityWeightsAreEqualAsLeastConnections() {
        BackendSet backends = threeBackends();
        LoadAwarePolicy policy = policy(backends, "load-open-flows.onnx", Map.of("mapping", "capacity", "capacitySmoothing", 1.0));
        hold(backends, 1, 0, 3);
        policy.onTick(tick(5, 5, 5));
        assertThat(policy.fallingBack()).isFalse();
        assertThat(policy.insight().get("c").get("capacity")).isEqualTo(0.6);
        assertThat(policy.insight().get("a")).doesNotContainKey("capacity");
        assertThat(policy.insight().get("a").get("weight")).as("unknown: the others' mean, here c's").isEqualTo(1.0);
        assertThat(policy.pick(new Flow(1, null, null)).backend().name()).as("fewest open flows").isEqualTo("b");
    }

    @Test
    void aReloadKeepsTheCapacityAverages() {
        BackendSet backends = threeBackends();
        LoadAwarePolicy first = policy(backends, "load-open-flows.onnx", Map.of("mapping", "capacity", "capacitySmoothing", 0.5));
        hold(backends, 4, 4, 8);
        first.onTick(tick(2, 1, 1));
        BackendSet next = BackendSet.of(List.of(new Backend("c", "127.0.0.1", 3, 1, 0), new Backend("a", "127.0.0.1", 1, 1, 0)));
        LoadAwarePolicy second = (LoadAwarePolicy) Policies.create(next, new PolicyConfig("load-aware", Map.of("model",
                Fixtures.model("load-open-flows.onnx").toString(), "name", "load-open-flows", "mapping", "capacity",
                "capacitySmoothing", 0.5)), first);
        assertThat(second.insight().get("c").get("capacity")).isEqualTo(8.0);
        assertThat(second.insight().get("a").get("capacity")).isEqualTo(2.0);
        assertThat(second.insight().get("c").get("weight")).isEqualTo(1.0);
        assertThat(second.insight().get("a").get("weight")).isEqualTo(0.25);
    }

    @Test
    void configurationProblemsNameTheParameter() {
        PolicyFactory factory = Policies.factory("load-aware");
        assertThat(factory.validate(new PolicyConfig("load-aware", Map.of("smoothing", 0, "minWeight", "x", "tableSize", 5))))
                .containsExactlyInAnyOrder("model: absent (expected: the path of a load-estimator .onnx file)",
                        "smoothing: 0 (expected: a number in (0, 1])", "minWeight: x (expected: a number in (0, 1])",
                        "tableSize: unknown parameter for policy load-aware (expected one of "
                                + LoadAwarePolicyFactory.PARAMETERS + ")");
        assertThat(factory.validate(new PolicyConfig("load-aware", Map.of("model", "m.onnx", "fallback", "load-aware"))))
                .singleElement().asString().startsWith("fallback: load-aware (expected one of [");
        assertThat(factory.validate(new PolicyConfig("load-aware", Map.of("model", "m.onnx", "mapping", "fastest", "capacitySmoothing", 2))))
                .containsExactlyInAnyOrder("mapping: fastest (expected one of [capacity, inverse-load])",
                        "capacitySmoothing: 2 (expected: a number in (0, 1])");
    }
}
