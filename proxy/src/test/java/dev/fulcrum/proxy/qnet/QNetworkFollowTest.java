package dev.fulcrum.proxy.qnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import dev.fulcrum.proxy.testing.Trainers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The q-network's online loop on real sockets: a Fulcrum whose q-network pool has no model yet
 * (its fallback picks) carries flows; the real {@code python3 -m fulcrum_training follow-q --admin
 * --from-stream} reads the transitions from {@code /api/stream?lines=transitions}, trains, renames the
 * model over the file the proxy serves and posts it to {@code POST /api/models/{name}}; the proxy
 * then serves that version and the policy picks with it.
 *
 * <p>Needs Debian's /usr/bin/python3 with python3-torch, python3-onnx, python3-numpy (fails without).
 */
class QNetworkFollowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "follow-q-test";

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    @Test
    void followQTrainsFromTheStreamAndPostsTheModelToTheProxy() throws Exception {
        Path model = dir.resolve("served").resolve("q.onnx");
        Files.createDirectories(model.getParent());
        Path local = dir.resolve("streamed.ndjson");
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            List<Backend> backends = List.of(new Backend("child-a", "127.0.0.1", a.port(), 1, 0),
                    new Backend("child-b", "127.0.0.1", b.port(), 1, 0));
            PolicyConfig policy = new PolicyConfig("q-network", Map.of("model", model.toString(), "name", NAME));
            try (FulcrumProxy proxy = FulcrumProxy.start(TwoTierFeedbackTest.withPolicy(TestConfigs.builder().admin().build(),
                    backends, policy))) {
                assertThat(Boolean.TRUE.equals(TwoTierFeedbackTest.policyView(proxy) == null ? null
                        : TwoTierFeedbackTest.policyView(proxy).get("usesModel"))).as("no model yet").isFalse();
                AtomicBoolean traffic = new AtomicBoolean(true);
                CompletableFuture<Void> flows = CompletableFuture.runAsync(() -> flowsUntilStopped(
                        proxy.listenerAddress(TestConfigs.LISTENER), traffic));
                String output;
                try {
                    output = Trainers.run(List.of(Trainers.PYTHON, "-m", "fulcrum_training", "follow-q", "--admin",
                            "http://127.0.0.1:" + proxy.adminAddress().getPort(), "--name", NAME, "--from-stream",
                            "--pool", TestConfigs.POOL, "--transitions", local.toString(), "--actions", "2", "--flow-scale", "10",
                            "--min-new", "5", "--rounds", "1", "--duration", "240", "--interval", "0.3", "--steps", "50"));
                } finally {
                    traffic.set(false);
                    flows.get(10, TimeUnit.SECONDS);
                }
                List<String> json = output.lines().filter(l -> l.startsWith("{")).toList();
                JsonNode summary = JSON.readTree(json.get(json.size() - 1));
                assertThat(summary.get("models").asInt()).as(output).isEqualTo(1);
                assertThat(summary.get("model").asText()).as("the file the proxy serves, from GET /api/models").isEqualTo(model.toString());
                assertThat(summary.get("streamed").asInt()).isGreaterThanOrEqualTo(5);
                JsonNode round = JSON.readTree(json.get(json.size() - 2));
                assertThat(round.get("version").asText()).isEqualTo("follow-1");
                assertThat(round.get("status").asInt()).as("POST /api/models/%s answered: %s", NAME, round).isEqualTo(200);
                assertThat(round.get("reload").asText()).as("by the POST, or the file watcher first").isIn("swapped", "unchanged");
                assertThat(round.get("swapped").asBoolean()).as("%s", round).isTrue();
                assertThat(round.get("serving").asText()).isEqualTo("follow-1");

                List<String> streamed = Files.readAllLines(local);
                assertThat(streamed.size()).isGreaterThanOrEqualTo(5);
                for (String line : streamed) {
                    JsonNode t = JSON.readTree(line);
                    assertThat(t.get("kind").asText()).isEqualTo("transition");
                    assertThat(t.get("pool").asText()).isEqualTo(TestConfigs.POOL);
                }
                assertThat(ModelRegistry.global().slot(NAME).status().get("version")).isEqualTo("follow-1");
                TwoTierFeedbackTest.until(() -> TwoTierFeedbackTest.policyView(proxy) != null
                        && Boolean.TRUE.equals(TwoTierFeedbackTest.policyView(proxy).get("usesModel")), "the posted model picks");
            }
        }
    }

    private static void flowsUntilStopped(InetSocketAddress address, AtomicBoolean traffic) {
        while (traffic.get()) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 2_000);
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(7);
                socket.getInputStream().read();
                Thread.sleep(20);
            } catch (IOException e) {
                // the next flow tries again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
