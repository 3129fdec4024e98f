package dev.fulcrum.proxy.qnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.cli.FulcrumCommand;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sockets: a q-network pool's transitions reach {@code GET /api/stream?lines=transitions} and
 * the dataset's transitions file ({@code telemetry.dataset.transitions}, {@code fulcrum record
 * --transitions}), the same line as in the pool's own file; a plain {@code /api/stream} client
 * still gets feature lines only.
 */
class TransitionStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    private String yaml(String listen, String admin, TestServer a, TestServer b, Path datasetTransitions) throws Exception {
        Path model = dir.resolve("q.onnx");
        if (!Files.exists(model)) {
            Files.copy(TwoTierFeedbackTest.FIXTURE, model);
        }
        return """
                runtime: {eventLoops: 1, watchConfig: false}
                admin: {address: "%s"}
                telemetry:
                  tick: 50ms
                  dataset: {path: "%s", transitions: "%s"}
                listeners:
                  web: {bind: "%s", pool: web}
                pools:
                  web:
                    policy: {type: q-network, model: "%s", name: stream-q, transitions: "%s"}
                    backends:
                      - {name: child-a, address: "127.0.0.1:%d"}
                      - {name: child-b, address: "127.0.0.1:%d"}
                """.formatted(admin, dir.resolve("features.csv"), datasetTransitions, listen, model, dir.resolve("pool.ndjson"),
                a.port(), b.port());
    }

    @Test
    void transitionsGoToTheStreamClientsThatAskAndToTheDataset() throws Exception {
        Path datasetTransitions = dir.resolve("dataset").resolve("transitions.ndjson");
        Path file = dir.resolve("fulcrum.yaml");
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            Files.writeString(file, yaml("127.0.0.1:0", "127.0.0.1:0", a, b, datasetTransitions));
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(file));
                    Socket transitions = openStream(proxy, "/api/stream?lines=transitions");
                    Socket features = openStream(proxy, "/api/stream")) {
                HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + "/api/stream?lines=flows")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("lines: flows (expected: features, transitions or both, comma-separated)");

                AtomicBoolean traffic = new AtomicBoolean(true);
                CompletableFuture<Void> flows = CompletableFuture.runAsync(() -> flowsUntilStopped(proxy.listenerAddress("web"), traffic));
                List<String> seen;
                try {
                    seen = jsonLines(transitions, 3);
                } finally {
                    traffic.set(false);
                    flows.get(10, TimeUnit.SECONDS);
                }
                for (String line : seen) {
                    JsonNode t = JSON.readTree(line);
                    assertThat(t.get("kind").asText()).as(line).isEqualTo("transition");
                    assertThat(t.get("pool").asText()).isEqualTo("web");
                    assertThat(t.get("action").asInt()).isBetween(0, 1);
                    assertThat(t.get("backend").asText()).isEqualTo(t.get("action").asInt() == 0 ? "child-a" : "child-b");
                    assertThat(t.get("flows").asInt()).isPositive();
                    assertThat(t.get("reward").asDouble()).isBetween(0.0, 1.0);
                    assertThat(t.get("state").get("own").size()).isEqualTo(2);
                    assertThat(t.get("next").get("present").size()).isEqualTo(2);
                }
                for (String line : jsonLines(features, 8)) {
                    JsonNode row = JSON.readTree(line);
                    assertThat(row.has("kind")).as("a feature client gets no transitions: %s", line).isFalse();
                    assertThat(row.get("schema").asInt()).isEqualTo(1);
                }
                // The same bytes in the pool's own file and in the dataset's transitions file.
                TwoTierFeedbackTest.until(() -> TwoTierFeedbackTest.lines(datasetTransitions).containsAll(seen)
                        && TwoTierFeedbackTest.lines(dir.resolve("pool.ndjson")).containsAll(seen), "the stream's lines are in both files");
                assertThat(proxy.telemetry().datasetTransitions()).isGreaterThanOrEqualTo(seen.size());
            }
        }
    }

    @Test
    void recordWritesTransitionsBesideTheDataset() throws Exception {
        // record binds the configured address itself: a port just found free, on an address of its own
        // (127.0.0.73) so that no client socket's ephemeral port, bound on 127.0.0.1, can take it meanwhile.
        String host = "127.0.0.73";
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            port = free.getLocalPort();
        }
        Path out = dir.resolve("recorded.csv");
        Path recorded = dir.resolve("recorded.transitions.ndjson");
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            Path file = dir.resolve("fulcrum.yaml");
            // The config's dataset path is replaced by -o, its transitions file by --transitions.
            Files.writeString(file, yaml(host + ":" + port, "off", a, b, dir.resolve("unused.ndjson")));
            StringWriter stdout = new StringWriter();
            StringWriter stderr = new StringWriter();
            AtomicBoolean traffic = new AtomicBoolean(true);
            CompletableFuture<Void> flows = CompletableFuture.runAsync(() -> {
                while (traffic.get()) {
                    flowsUntilStopped(new InetSocketAddress(host, port), traffic);
                }
            });
            int exit;
            try {
                exit = FulcrumCommand.execute(new PrintWriter(stdout), new PrintWriter(stderr), "record", "-c", file.toString(),
                        "-o", out.toString(), "--transitions", recorded.toString(), "-d", "3s");
            } finally {
                traffic.set(false);
                flows.get(10, TimeUnit.SECONDS);
            }
            assertThat(exit).as(stderr.toString()).isZero();
            List<String> lines = Files.readAllLines(recorded);
            assertThat(lines).isNotEmpty();
            assertThat(JSON.readTree(lines.get(0)).get("kind").asText()).isEqualTo("transition");
            assertThat(stdout.toString()).contains(" and " + lines.size() + " transitions to " + recorded);
            assertThat(dir.resolve("unused.ndjson")).doesNotExist();
        }
    }

    /** Short flows (one echoed byte each) until told to stop; connection failures (proxy not up yet) are retried. */
    private static void flowsUntilStopped(InetSocketAddress address, AtomicBoolean traffic) {
        while (traffic.get()) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 2_000);
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(7);
                socket.getInputStream().read();
                Thread.sleep(20);
            } catch (java.io.IOException e) {
                sleepQuietly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Socket openStream(FulcrumProxy proxy, String path) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.adminAddress().getPort()), 2000);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: fulcrum\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The first {@code count} JSON lines of a stream (chunked framing: size lines and blank lines skipped). */
    private static List<String> jsonLines(Socket socket, int count) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        List<String> lines = new ArrayList<>();
        while (lines.size() < count) {
            String line = in.readLine();
            assertThat(line).as("the stream ended").isNotNull();
            if (line.startsWith("{")) {
                lines.add(line);
            }
        }
        return lines;
    }
}
