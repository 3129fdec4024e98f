package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET/POST /api/models on a running proxy whose pool uses the learned hash; flows keep working through swaps. */
class ModelsApiTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURES = Path.of("../learned/src/test/resources/models").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    @Test
    void listsReloadsAndRefusesModelsWhileFlowsContinue() throws Exception {
        Path model = dir.resolve("clients.onnx");
        Files.copy(FIXTURES.resolve("learned-hash.onnx"), model);
        try (TestServer a = TestServer.echo();
                TestServer b = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(learnedHash(TestConfigs.builder().admin().backend(a.port()).backend(b.port()).build(),
                        Map.of("model", model.toString(), "name", "clients-api", "boundedLoad", 1.25)))) {
            assertEchoes(proxy, 1);
            JsonNode list = JSON.readTree(get(proxy, "/api/models").body());
            JsonNode clients = find(list.get("models"), "clients-api");
            assertThat(clients.get("kind").asText()).isEqualTo("learned-hash");
            assertThat(clients.get("version").asText()).isEqualTo("v1");
            assertThat(clients.get("serving").asBoolean()).isTrue();

            Files.copy(FIXTURES.resolve("wrong-schema.onnx"), model, StandardCopyOption.REPLACE_EXISTING);
            HttpResponse<String> refused = post(proxy, "/api/models/clients-api");
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo(model + ": fulcrum.schema: 99 (expected: 1)");
            assertThat(JSON.readTree(refused.body()).get("version").asText()).as("v1 keeps serving").isEqualTo("v1");
            assertEchoes(proxy, 2);

            Files.copy(FIXTURES.resolve("learned-hash-v2.onnx"), model, StandardCopyOption.REPLACE_EXISTING);
            HttpResponse<String> swapped = post(proxy, "/api/models/clients-api");
            assertThat(swapped.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(swapped.body()).get("version").asText()).isEqualTo("v2");
            assertThat(JSON.readTree(get(proxy, "/api/models/clients-api").body()).get("loadFailures").asLong()).isPositive();
            assertEchoes(proxy, 3);

            String metrics = get(proxy, "/metrics").body();
            assertThat(metrics).containsPattern("fulcrum_model_info\\{[^}]*name=\"clients-api\"[^}]*version=\"v2\"[^}]*} 1(\\.0)?\n");
            assertThat(metrics).doesNotContainPattern("fulcrum_model_info\\{[^}]*version=\"v1\"");
            assertThat(metrics).containsPattern("fulcrum_model_load_failures_total\\{name=\"clients-api\"} [1-9]");
            assertThat(metrics).contains("fulcrum_model_inference_seconds_count{name=\"clients-api\"}");

            assertThat(post(proxy, "/api/models/nope").statusCode()).isEqualTo(404);
            HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(uri(proxy, "/api/models/clients-api")).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.headers().firstValue("allow")).hasValue("GET, HEAD, POST");
        }
    }

    static FulcrumConfig learnedHash(FulcrumConfig config, Map<String, Object> parameters) {
        PoolConfig pool = config.pools().get(TestConfigs.POOL);
        PoolConfig learned = new PoolConfig(pool.name(), new PolicyConfig("learned-hash", parameters), pool.backends(), pool.health());
        return new FulcrumConfig(config.source(), config.runtime(), config.admin(), config.listeners(),
                Map.of(TestConfigs.POOL, learned), config.telemetry());
    }

    private static JsonNode find(JsonNode models, String name) {
        for (JsonNode model : models) {
            if (model.get("name").asText().equals(name)) {
                return model;
            }
        }
        throw new AssertionError("no model " + name + " in " + models);
    }

    private static void assertEchoes(FulcrumProxy proxy, int value) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(value);
            assertThat(socket.getInputStream().read()).isEqualTo(value);
        }
    }

    private static HttpResponse<String> get(FulcrumProxy proxy, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(proxy, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(FulcrumProxy proxy, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(proxy, path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(FulcrumProxy proxy, String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }
}
