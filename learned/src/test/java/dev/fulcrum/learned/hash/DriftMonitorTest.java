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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift monitor on the fixture models: v1 was trained on log-normal keys exp(N(0, 1)), v2 on
 * N(0.5, 0.1). Keys go through real picks (the tap), the monitor ticks with a test clock.
 */
class DriftMonitorTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void forget() {
        ModelRegistry.global().unbindMetrics(meters);
        ModelRegistry.global().close();
        DriftMonitors.global().tick(0, message -> { }); // drops the monitors of the closed slots
    }

    private LearnedHashPolicy policy(Path model, Map<String, Object> extra) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            backends.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        Map<String, Object> parameters = new HashMap<>(extra);
        parameters.put("model", model.toString());
        parameters.put("name", "drift-test");
        return (LearnedHashPolicy) Policies.create(BackendSet.of(backends), new PolicyConfig("learned-hash", parameters), null);
    }

    private static void pick(BalancingPolicy policy, int n, DoubleSupplier keys) {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            policy.pick(new Flow(random.nextLong(), keys.getAsDouble(), null));
        }
    }

    @Test
    void keysFromTheTrainedDistributionRaiseNothingAndShiftedKeysAskForARetrain() throws Exception {
        ModelRegistry.global().bindMetrics(meters);
        Path model = dir.resolve("clients.onnx");
        Files.copy(Fixtures.model("learned-hash.onnx"), model);
        LearnedHashPolicy policy = policy(model, Map.of("driftThreshold", 0.2, "maxImbalance", 3.0, "driftMinKeys", 3000));
        DriftMonitor monitor = DriftMonitors.global().byName("drift-test");
        List<String> log = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);

        pick(policy, 20_000, () -> Math.exp(random.nextGaussian()));
        monitor.tick(0, log::add);
        assertThat(monitor.drift()).as("KS distance of fresh keys from the trained distribution").isLessThan(0.12); // the fixture is a tiny model (layers 1,2; 150 steps): its own fit error
        assertThat(monitor.imbalance()).isBetween(1.0, 2.5); // 8 arcs of 1/8: the fit error shows here most
        assertThat(monitor.retrainRequested()).isFalse();
        assertThat(log).isEmpty();

        // The clients change: keys now crowd around 0.5, where v1 has a small part of the circle.
        pick(policy, 20_000, () -> 0.5 + 0.1 * random.nextGaussian());
        monitor.tick(60 * SECOND, log::add); // one half-life: the old keys weigh half
        double drifted = monitor.drift();
        assertThat(drifted).isGreaterThan(0.2);
        assertThat(monitor.retrainRequested()).isTrue();
        assertThat(log).singleElement().asString().startsWith("model drift-test (version v1): drift 0.")
                .endsWith("> driftThreshold 0.200 over 30000 recent keys; retrain requested");
        monitor.tick(61 * SECOND, log::add);
        assertThat(log).as("one event per serving model").hasSize(1);
        assertThat(meters.get("fulcrum.learned.hash.drift.events").tag("name", "drift-test").counter().count()).isEqualTo(1);
        assertThat(meters.get("fulcrum.learned.hash.drift").tag("name", "drift-test").gauge().value()).isGreaterThan(0.2);

        double[] recent = monitor.recentKeys();
        assertThat(recent).hasSize(40_000);
        assertThat(recent[recent.length - 1]).isBetween(0.0, 1.1); // the latest keys are the shifted ones

        // A model trained on the new keys swaps in: the remap is reported and the estimate restarts.
        Fixtures.renameOver("learned-hash-v2.onnx", model);
        assertThat(policy.slot().reload().result()).isEqualTo("swapped");
        DriftMonitor.SwapReport swap = monitor.lastSwap();
        assertThat(swap.fromVersion()).isEqualTo("v1");
        assertThat(swap.toVersion()).isEqualTo("v2");
        assertThat(swap.keys()).isEqualTo(40_000);
        assertThat(swap.remapFraction()).as("v1 and v2 place these keys far apart").isBetween(0.5, 1.0);
        assertThat(meters.get("fulcrum.learned.hash.remap.fraction").tag("name", "drift-test").gauge().value())
                .isEqualTo(swap.remapFraction());
        assertThat(monitor.retrainRequested()).isFalse();
        pick(policy, 20_000, () -> 0.5 + 0.1 * random.nextGaussian());
        monitor.tick(62 * SECOND, log::add);
        assertThat(monitor.drift()).as("the new keys follow the new model (a tiny one)").isLessThan(0.15).isLessThan(drifted / 2);
        assertThat(monitor.retrainRequested()).isFalse();
        assertThat(monitor.status()).containsEntry("events", 1L).containsEntry("retrainRequested", false)
                .containsEntry("driftThreshold", 0.2).containsEntry("driftMinKeys", 3000L);
    }

    @Test
    void aBackendTakingMoreThanItsArcRaisesAnImbalanceEvent() throws Exception {
        Path model = dir.resolve("clients.onnx");
        Files.copy(Fixtures.model("learned-hash.onnx"), model);
        LearnedHashPolicy policy = policy(model, Map.of("driftThreshold", 1.0, "maxImbalance", 1.3, "driftMinKeys", 1000));
        DriftMonitor monitor = DriftMonitors.global().byName("drift-test");
        List<String> log = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(12);
        pick(policy, 5_000, () -> random.nextDouble() < 0.5 ? 1.0 : Math.exp(random.nextGaussian())); // a hot key
        monitor.tick(0, log::add);
        assertThat(monitor.imbalance()).isGreaterThan(3.0); // half of all keys on one of 8 equal arcs: about 4.5
        assertThat(log).singleElement().asString().contains("imbalance ").contains("> maxImbalance 1.300");
    }

    @Test
    void driftParametersAreChecked() {
        assertThat(Policies.factory("learned-hash").validate(new PolicyConfig("learned-hash", Map.of("model", "m.onnx",
                "driftThreshold", 0, "maxImbalance", 0.9, "driftMinKeys", 1.5, "driftHalfLife", "soon"))))
                .containsExactly("driftThreshold: 0 (expected: a KS distance in (0, 1], e.g. 0.1)",
                        "maxImbalance: 0.9 (expected: a share / arc ratio > 1, e.g. 1.5)",
                        "driftMinKeys: 1.5 (expected: a whole number of keys >= 1, e.g. 2000)",
                        "driftHalfLife: soon (expected: seconds > 0, e.g. 60)");
    }

    @Test
    void theTapDropsWhatOverflowsBetweenTwoDrainsAndSkipsUnreadableKeys() {
        KeyTap tap = new KeyTap(8);
        for (int i = 0; i < 12; i++) {
            tap.record(i);
        }
        tap.record(Double.NaN);
        List<Double> seen = new ArrayList<>();
        assertThat(tap.drain(seen::add)).isEqualTo(8);
        assertThat(seen).containsExactly(4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0);
        assertThat(tap.dropped()).isEqualTo(4);
        seen.clear();
        tap.record(12);
        assertThat(tap.drain(seen::add)).isEqualTo(1);
        assertThat(seen).containsExactly(12.0);
    }
}
