package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import dev.fulcrum.proxy.testing.Trainers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learned hash's closed loop on real sockets: a proxy with 8 backends serves clients whose
 * source addresses span 127.0.0.0/8; the model was trained on 127.1.0.0/16; new clients from
 * 127.200.0.0/16 make the drift monitor ask for a retrain; the trainer's follow mode (the real
 * Python CLI) retrains on the keys the proxy saw, swaps the model in, and the remap is reported.
 * Needs Debian's /usr/bin/python3 with python3-torch, python3-onnx, python3-numpy (fails without).
 */
class LearnedHashFollowTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "clients-follow";

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    @Test
    void driftOnRealSocketsIsDetectedRetrainedAndSwappedWithTheRemapReported() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        Path keys = dir.resolve("keys.csv");
        StringBuilder csv = new StringBuilder("key\n");
        for (int i = 0; i < 3000; i++) {
            csv.append(address(1, random)).append('\n');
        }
        Files.writeString(keys, csv);
        Path model = dir.resolve(NAME + ".onnx");
        String trained = Trainers.run(List.of(Trainers.PYTHON, "-m", "fulcrum_training", "train-hash", "--keys", keys.toString(), "--encoding", "address",
                "--out", model.toString(), "--layers", "1,4", "--steps", "60", "--version", "first"));
        assertThat(trained).contains("\"version\": \"first\"");

        List<TestServer> backends = new ArrayList<>();
        TestConfigs builder = TestConfigs.builder().admin();
        for (int i = 0; i < 8; i++) {
            backends.add(TestServer.echo());
            builder.backend(backends.get(i).port());
        }
        try (FulcrumProxy proxy = FulcrumProxy.start(ModelsApiTest.learnedHash(builder.build(), Map.of("model", model.toString(),
                "name", NAME, "driftThreshold", 0.25, "maxImbalance", 4.0, "driftMinKeys", 300, "driftHalfLife", 600)))) {
            int[] before = accepted(backends);
            connect(proxy, 400, () -> address(1, random));
            int[] trainedSpread = minus(accepted(backends), before);
            assertThat(count(trainedSpread)).as("backends reached by clients of the trained range: %s", java.util.Arrays.toString(trainedSpread))
                    .isGreaterThanOrEqualTo(6);
            JsonNode drift = awaitDrift(proxy, d -> d.get("recentKeys").asLong() >= 400);
            assertThat(drift.get("drift").asDouble()).as("%s", drift).isLessThan(0.25);
            assertThat(drift.get("retrainRequested").asBoolean()).isFalse();

            // New clients: a range the model never saw sits past its last key, on one point of the circle.
            before = accepted(backends);
            connect(proxy, 600, () -> address(200, random));
            assertThat(count(minus(accepted(backends), before))).as("the old model sends the new range to one backend").isEqualTo(1);
            drift = awaitDrift(proxy, d -> d.get("retrainRequested").asBoolean());
            assertThat(drift.get("lastEvent").asText()).startsWith("model " + NAME + " (version first): drift ");
            assertThat(drift.get("events").asLong()).isEqualTo(1);

            String followed = Trainers.run(List.of(Trainers.PYTHON, "-m", "fulcrum_training", "follow", "--admin", "http://127.0.0.1:"
                    + proxy.adminAddress().getPort(), "--name", NAME, "--rounds", "1", "--duration", "300", "--poll", "0.2",
                    "--min-keys", "500", "--layers", "1,4", "--steps", "60"));
            JsonNode round = JSON.readTree(followed.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
            assertThat(round.get("reason").asText()).startsWith("drift: model " + NAME);
            assertThat(round.get("requests").asInt()).isEqualTo(1000);
            assertThat(round.get("reload").asText()).as("by the POST, or the file watcher first").isIn("swapped", "unchanged");
            assertThat(round.get("swapped").asBoolean()).as("%s", round).isTrue();
            assertThat(round.get("serving").asText()).startsWith("follow-");
            double remap = round.get("remapFraction").asDouble();
            assertThat(remap).as("share of recent keys now on another backend").isBetween(0.3, 1.0);

            JsonNode status = JSON.readTree(get(proxy, "/api/models/" + NAME).body());
            assertThat(status.get("drift").get("retrainRequested").asBoolean()).isFalse();
            assertThat(status.get("drift").get("lastSwap").get("fromVersion").asText()).isEqualTo("first");
            String metrics = get(proxy, "/metrics").body();
            assertThat(metrics).containsPattern("fulcrum_learned_hash_remap_fraction\\{name=\"" + NAME + "\"} 0\\.[0-9]+");
            assertThat(metrics).containsPattern("fulcrum_learned_hash_drift_events_total\\{name=\"" + NAME + "\"} 1(\\.0)?\n");
            assertThat(metrics).contains("fulcrum_learned_hash_drift{name=\"" + NAME + "\"}");

            // The retrained model spreads the new range too.
            before = accepted(backends);
            connect(proxy, 400, () -> address(200, random));
            int[] after = minus(accepted(backends), before);
            assertThat(count(after)).as("backends reached by the new range after the swap: %s", java.util.Arrays.toString(after))
                    .isGreaterThanOrEqualTo(5);
        } finally {
            for (TestServer backend : backends) {
                backend.close();
            }
        }
    }

    /** 127.{second}.x.y with x skewed low (clients crowd in a few subnets), y uniform. */
    private static String address(int second, SplittableRandom random) {
        int third = (int) Math.min(255, Math.abs(random.nextGaussian()) * 40);
        return "127." + second + "." + third + "." + (1 + random.nextInt(254));
    }

    private interface Source {
        String next();
    }

    private static void connect(FulcrumProxy proxy, int flows, Source source) throws IOException {
        for (int i = 0; i < flows; i++) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(source.next()), 0));
                socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(42);
                assertThat(socket.getInputStream().read()).isEqualTo(42);
            }
        }
    }

    private static int[] accepted(List<TestServer> backends) {
        return backends.stream().mapToInt(TestServer::accepted).toArray();
    }

    private static int[] minus(int[] a, int[] b) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    private static long count(int[] flows) {
        return java.util.Arrays.stream(flows).filter(n -> n > 0).count();
    }

    private interface Condition {
        boolean test(JsonNode drift);
    }

    private static JsonNode awaitDrift(FulcrumProxy proxy, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode drift;
        do {
            Thread.sleep(100);
            drift = JSON.readTree(get(proxy, "/api/models/" + NAME).body()).get("drift");
        } while (!condition.test(drift) && System.nanoTime() < deadline);
        assertThat(condition.test(drift)).as("drift status never got there: %s", drift).isTrue();
        return drift;
    }

    private static HttpResponse<String> get(FulcrumProxy proxy, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
