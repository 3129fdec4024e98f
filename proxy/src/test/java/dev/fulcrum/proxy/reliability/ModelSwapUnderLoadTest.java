package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.reliability.Resources.Baseline;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.InetSocketAddress;
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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model swaps in a loop under load, on a running proxy whose pool uses the learned hash: client
 * loops send checksummed echo flows the whole time while the model file is replaced, again and
 * again, by the two trained fixtures in turn and, between them, by mutants of a small learned-hash
 * model ({@link OnnxMutator}, fixed seed), each followed by {@code POST /api/models/{name}}. Every good model swaps in (its
 * version serves); every mutant is refused with an error naming the file (422, the previous model
 * serving on) or passes every check and serves; not one flow is cut or corrupted, every flow ends
 * with a reason, and fds and direct memory come back.
 */
class ModelSwapUnderLoadTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DIRECT_SLACK = 32L * 1024 * 1024;
    /** Each round swaps a trained model in (compiled over its grid: seconds on a loaded 2-core machine) and four mutants. */
    static final int ROUNDS = 8;
    static final int MUTANTS_PER_ROUND = 4;
    static final int CLIENT_LOOPS = 4;

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    @Test
    void goodModelsAndMutantsSwappedInALoopCostNoFlowAByte() throws Exception {
        Path model = dir.resolve("clients.onnx");
        Files.copy(ModelFileFuzzTest.FIXTURES.resolve("learned-hash.onnx"), model);
        byte[] small = Files.readAllBytes(ModelFileFuzzTest.FIXTURES.resolve("identity-hash.onnx"));
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo(); EchoFlows clients = new EchoFlows()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(learnedHash(TestConfigs.builder().admin().backend(a.port()).backend(b.port()).build(),
                    Map.of("model", model.toString(), "name", "swap-loop")))) {
                InetSocketAddress address = proxy.listenerAddress(TestConfigs.LISTENER);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong complete = new AtomicLong();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> loops = new ArrayList<>();
                for (int loop = 0; loop < CLIENT_LOOPS; loop++) {
                    long seedBase = loop * 1_000_000L;
                    Thread thread = new Thread(() -> {
                        try {
                            for (long seed = seedBase; !stop.get(); seed++) {
                                long size = 16 * 1024 + (seed % 7) * 24 * 1024;
                                Checked back = EchoFlows.await(List.of(clients.start(address, seed, size, 8 * 1024, 0))).get(0);
                                if (!back.complete(size)) {
                                    throw new AssertionError("flow " + seed + " cut during the swaps: " + back);
                                }
                                complete.incrementAndGet();
                            }
                        } catch (Throwable t) { // a corrupt byte arrives here too
                            failure.compareAndSet(null, t);
                        }
                    }, "swap-load-" + loop);
                    thread.start();
                    loops.add(thread);
                }

                OnnxMutator mutator = new OnnxMutator(new SplittableRandom(2024));
                long started = System.nanoTime();
                int refused = 0;
                for (int round = 0; round < ROUNDS && failure.get() == null; round++) {
                    String good = round % 2 == 0 ? "learned-hash-v2.onnx" : "learned-hash.onnx";
                    ModelFileFuzzTest.renameOver(Files.readAllBytes(ModelFileFuzzTest.FIXTURES.resolve(good)), model);
                    HttpResponse<String> swapped = post(proxy, "/api/models/swap-loop");
                    assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
                    assertThat(JSON.readTree(swapped.body()).get("version").asText()).isEqualTo(round % 2 == 0 ? "v2" : "v1");
                    outcomes.merge("good model swapped in", 1, Integer::sum);
                    String serving = JSON.readTree(swapped.body()).get("version").asText();
                    long flowsBefore = complete.get();
                    for (int m = 0; m < MUTANTS_PER_ROUND; m++) {
                        // Mutants of the small learned-hash fixture: each loads in milliseconds (the trained
                        // one's mutants are ModelFileFuzzTest's; here the time goes to the swaps under load).
                        byte[] mutant = mutator.mutate(small);
                        String how = mutator.last;
                        ModelFileFuzzTest.renameOver(mutant, model);
                        HttpResponse<String> response = post(proxy, "/api/models/swap-loop");
                        JsonNode body = JSON.readTree(response.body());
                        if (response.statusCode() == 422) {
                            refused++;
                            assertThat(body.get("error").asText()).as("mutant (%s)", how).startsWith(model + ": ");
                            ModelFileFuzzTest.assertClear(body.get("error").asText(), m, how);
                            assertThat(body.get("version").asText()).as("mutant (%s): the previous model serves on", how).isEqualTo(serving);
                            outcomes.merge("mutant refused: " + ModelFileFuzzTest.category(body.get("error").asText(), model), 1, Integer::sum);
                        } else {
                            assertThat(response.statusCode()).as("mutant (%s): %s", how, response.body()).isEqualTo(200);
                            serving = body.get("version").asText();
                            outcomes.merge("mutant passed every check and serves", 1, Integer::sum);
                        }
                    }
                    long flowsAtRoundStart = flowsBefore;
                    Resources.until(() -> complete.get() > flowsAtRoundStart + CLIENT_LOOPS || failure.get() != null,
                            "flows complete while models swap");
                }
                stop.set(true);
                for (Thread loop : loops) {
                    loop.join(90_000);
                }
                assertThat(failure.get()).as("no flow cut, corrupted or hung").isNull();
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
                long flows = complete.get();
                Resources.until(() -> Scrape.endedTotal(proxy) == flows, "every flow ended with a reason");
                assertThat(Scrape.ended(proxy, EndReason.ERROR)).isZero();
                assertThat(Scrape.counter(proxy, "fulcrum_model_load_failures_total", "name=\"swap-loop\""))
                        .as("each refusal counted").isGreaterThanOrEqualTo(refused);
                System.out.printf("model swaps under load: %d rounds in %.0f s, %d flows complete (0 cut, 0 corrupt), %s%n", ROUNDS,
                        (System.nanoTime() - started) / 1e9, flows, outcomes);
                assertThat(refused).as("the fuzz reaches the checks").isPositive();
            }
            baseline.awaitReturn(16, DIRECT_SLACK);
        }
    }

    static FulcrumConfig learnedHash(FulcrumConfig config, Map<String, Object> parameters) {
        PoolConfig pool = config.pools().get(TestConfigs.POOL);
        PoolConfig learned = new PoolConfig(pool.name(), new PolicyConfig("learned-hash", parameters), pool.backends(), pool.health());
        return new FulcrumConfig(config.source(), config.runtime(), config.admin(), config.listeners(),
                Map.of(TestConfigs.POOL, learned), config.telemetry());
    }

    private static HttpResponse<String> post(FulcrumProxy proxy, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
        // Bounded: a reload request left unanswered fails here, not at the test's timeout.
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
