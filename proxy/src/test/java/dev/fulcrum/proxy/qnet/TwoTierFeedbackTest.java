package dev.fulcrum.proxy.qnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tiers on loopback, real sockets: a parent Fulcrum with the q-network policy in front of two
 * child Fulcrums, each in front of two echo servers. Child B also carries flows from "another
 * parent" (clients connected to it directly); the parent learns it from B's GET /api/feedback and
 * sends its new flows to child A.
 */
class TwoTierFeedbackTest {

    static final Path FIXTURE = Path.of("src/test/resources/qnet/least-loaded-2.onnx").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    static FulcrumConfig withPolicy(FulcrumConfig config, List<Backend> backends, PolicyConfig policy) {
        PoolConfig pool = config.pools().get(TestConfigs.POOL);
        PoolConfig replaced = new PoolConfig(pool.name(), policy, backends, pool.health());
        return new FulcrumConfig(config.source(), config.runtime(), config.admin(), config.listeners(),
                Map.of(TestConfigs.POOL, replaced), config.telemetry());
    }

    static FulcrumProxy child(TestServer one, TestServer two) {
        return FulcrumProxy.start(TestConfigs.builder().admin().backend(one.port()).backend(two.port()).build());
    }

    static String feedbackUrl(FulcrumProxy proxy) {
        return "http://127.0.0.1:" + proxy.adminAddress().getPort() + "/api/feedback?pool=" + TestConfigs.POOL;
    }

    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 2_000);
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(7);
        if (socket.getInputStream().read() != 7) {
            throw new AssertionError("no echo through " + address);
        }
        return socket;
    }

    @Test
    void theParentSendsNewFlowsToTheChildWithFewerFlowsFromOtherParents() throws Exception {
        Path model = dir.resolve("q.onnx");
        Files.copy(FIXTURE, model);
        Path transitions = dir.resolve("transitions.ndjson");
        List<Socket> sockets = new ArrayList<>();
        try (TestServer a1 = TestServer.echo(); TestServer a2 = TestServer.echo();
                TestServer b1 = TestServer.echo(); TestServer b2 = TestServer.echo();
                FulcrumProxy childA = child(a1, a2); FulcrumProxy childB = child(b1, b2)) {
            Map<String, Object> parameters = new HashMap<>();
            parameters.put("model", model.toString());
            parameters.put("name", "two-tier");
            parameters.put("feedback", Map.of("child-a", feedbackUrl(childA), "child-b", feedbackUrl(childB)));
            parameters.put("transitions", transitions.toString());
            List<Backend> children = List.of(
                    new Backend("child-a", "127.0.0.1", childA.listenerAddress(TestConfigs.LISTENER).getPort(), 1, 0),
                    new Backend("child-b", "127.0.0.1", childB.listenerAddress(TestConfigs.LISTENER).getPort(), 1, 0));
            try (FulcrumProxy parent = FulcrumProxy.start(withPolicy(TestConfigs.builder().admin().build(), children,
                    new PolicyConfig("q-network", parameters)))) {
                // Another parent's flows: 20 clients straight to child B.
                for (int i = 0; i < 20; i++) {
                    sockets.add(connect(childB.listenerAddress(TestConfigs.LISTENER)));
                }
                until(() -> childFeedback(parent, "child-b").path("others").asInt() == 20, "the parent sees child B's 20 other flows");
                JsonNode childReport = JSON.readTree(get(feedbackUrl(childB)));
                assertThat(childReport.get("activeFlows").asInt()).isEqualTo(20);
                assertThat(childReport.get("schema").asText()).isEqualTo("fulcrum-feedback-v1");
                until(() -> parent.tierFeedback().feedback(TestConfigs.POOL) != null
                        && Boolean.TRUE.equals(policyView(parent).get("usesModel")), "the model picks");
                until(() -> insight(parent, "child-a") > 0.95, "child A gets most of the probability");

                // 12 new flows through the parent, kept open: the model sends them to child A.
                for (int i = 0; i < 12; i++) {
                    sockets.add(connect(parent.listenerAddress(TestConfigs.LISTENER)));
                }
                int toA = parent.backend(TestConfigs.POOL, "child-a").activeFlows();
                int toB = parent.backend(TestConfigs.POOL, "child-b").activeFlows();
                assertThat(toA + toB).isEqualTo(12);
                // Random would give A 6 of 12 (P(A >= 10) = 1.9%); least-loaded gives A nearly all of them.
                assertThat(toA).as("flows to child A (B carries 20 others)").isGreaterThanOrEqualTo(10);
                until(() -> childFeedback(parent, "child-a").path("activeFlows").asInt() == toA, "child A reports the parent's flows");
                assertThat(childFeedback(parent, "child-a").path("others").asInt()).as("the parent's own flows are not others").isZero();

                until(() -> lines(transitions).size() >= 1, "a transition is written");
                JsonNode first = JSON.readTree(lines(transitions).get(0));
                assertThat(first.get("pool").asText()).isEqualTo(TestConfigs.POOL);
                assertThat(first.get("state").get("own").size()).isEqualTo(2);
                assertThat(first.get("next").get("present").size()).isEqualTo(2);
                assertThat(first.get("reward").asDouble()).isBetween(0.0, 1.0);
                assertThat(first.get("rtt").asDouble()).isPositive();
                assertThat(first.get("flows").asInt()).isPositive();
                boolean sawA = false;
                for (String line : lines(transitions)) {
                    JsonNode t = JSON.readTree(line);
                    sawA |= t.get("backend").asText().equals("child-a") && t.get("action").asInt() == 0
                            && t.get("state").get("others").get(1).asInt() == 20;
                }
                assertThat(sawA).as("a transition for child A in a state where B reported 20 other flows").isTrue();

                String metrics = get("http://127.0.0.1:" + parent.adminAddress().getPort() + "/metrics");
                assertThat(metrics).containsPattern("fulcrum_qnetwork_ticks_total\\{outcome=\"inferred\",pool=\"test\"} [1-9]");
                assertThat(metrics).contains("fulcrum_qnetwork_model_active{pool=\"test\"} 1.0");
                assertThat(metrics).containsPattern("fulcrum_feedback_polls_total\\{result=\"ok\",url=\"[^\"]+\"} [1-9]");
                assertThat(metrics).containsPattern("fulcrum_qnetwork_transitions_total\\{pool=\"test\"} [1-9]");
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static double insight(FulcrumProxy parent, String backend) {
        Map<String, Object> view = policyView(parent);
        Map<String, Map<String, Double>> insight = view == null ? null : (Map<String, Map<String, Double>>) view.get("insight");
        Map<String, Double> values = insight == null ? null : insight.get(backend);
        return values == null ? 0 : values.getOrDefault("selectionProbability", 0.0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> policyView(FulcrumProxy parent) {
        Map<String, Object> pool = parent.tierFeedback().feedback(TestConfigs.POOL);
        return pool == null ? null : (Map<String, Object>) pool.get("policy");
    }

    static JsonNode childFeedback(FulcrumProxy parent, String child) {
        Map<String, Object> pool = parent.tierFeedback().feedback(TestConfigs.POOL);
        if (pool == null || pool.get("children") == null) {
            return JSON.createObjectNode();
        }
        return JSON.valueToTree(((Map<?, ?>) pool.get("children")).get(child));
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }

    static void until(BooleanSupplier condition, String description) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + description);
            }
            Thread.sleep(20);
        }
    }
}
