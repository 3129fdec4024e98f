package dev.fulcrum.proxy.qnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.ModelRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool that a reload removes (or turns into another policy) loses its q-network and feedback-poll meters. */
class TierFeedbackMetersTest {

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    private BalancingPolicy qnetwork(FeedbackPollerTest.FakeChild child) {
        BackendSet set = BackendSet.of(List.of(new Backend("x", "127.0.0.1", 1, 1, 0)));
        return Policies.create(set, new PolicyConfig("q-network", Map.of("model", dir.resolve("absent.onnx").toString(),
                "name", "meters-test", "feedback", Map.of("x", child.url().toString()))), null);
    }

    private static List<String> meters(SimpleMeterRegistry registry) {
        return registry.getMeters().stream().map(Meter::getId)
                .filter(id -> id.getName().startsWith("fulcrum.qnetwork") || id.getName().equals("fulcrum.feedback.polls"))
                .map(id -> id.getName() + id.getTags()).toList();
    }

    @Test
    void aRemovedPoolsMetersAreRemoved() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TierFeedback feedback = new TierFeedback(registry, Duration.ofMillis(50));
        try (FeedbackPollerTest.FakeChild child = new FeedbackPollerTest.FakeChild("{\"activeFlows\": 4, \"reward\": 0.5}")) {
            BalancingPolicy q = qnetwork(child);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (registry.find("fulcrum.feedback.polls").tag("result", "ok").counter() == null && System.nanoTime() < deadline) {
                feedback.tick(Map.of("web", q, "kept", q), List.of());
                Thread.sleep(50);
            }
            assertThat(meters(registry)).anyMatch(m -> m.startsWith("fulcrum.feedback.polls"))
                    .anyMatch(m -> m.startsWith("fulcrum.qnetwork.ticks") && m.contains("pool=web"))
                    .anyMatch(m -> m.startsWith("fulcrum.qnetwork.model.active") && m.contains("pool=web"));

            // A reload: "web" is gone, "kept" is round-robin now.
            BalancingPolicy plain = Policies.create(BackendSet.of(List.of(new Backend("x", "127.0.0.1", 1, 1, 0))),
                    PolicyConfig.of("round-robin"), null);
            feedback.tick(Map.of("kept", plain), List.of());
            Thread.sleep(300); // a poll still in flight must not bring its counter back
            feedback.tick(Map.of("kept", plain), List.of());
            assertThat(meters(registry)).isEmpty();

            // Back as q-network: its meters come back.
            feedback.tick(Map.of("kept", q), List.of());
            assertThat(meters(registry)).anyMatch(m -> m.startsWith("fulcrum.qnetwork.ticks") && m.contains("pool=kept"));
        } finally {
            feedback.close();
        }
    }
}
