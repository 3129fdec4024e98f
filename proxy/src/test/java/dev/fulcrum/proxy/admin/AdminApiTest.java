package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API over real HTTP: health, status with live flow counts, Prometheus metrics. */
class AdminApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static TestServer backend;
    private static TestServer idleBackend;
    private static FulcrumProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestServer.start(socket -> socket.getInputStream().readAllBytes());
        idleBackend = TestServer.start(socket -> socket.getInputStream().readAllBytes());
        proxy = FulcrumProxy.start(TestConfigs.builder().admin().backend(backend.port(), 3, 0).backend(idleBackend.port(), 1, 0).build());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
        idleBackend.close();
    }

    @Test
    void healthzAnswersOkWhileRunning() throws Exception {
        HttpResponse<String> response = get("/healthz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
    }

    @Test
    void statusShowsListenersPoolsAndTheFlowsOpenOnEachBackend() throws Exception {
        try (Socket flow = new Socket()) {
            flow.connect(proxy.listenerAddress(TestConfigs.LISTENER));
            long deadline = System.nanoTime() + 5_000_000_000L;
            JsonNode status;
            do {
                HttpResponse<String> response = get("/api/status");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
                status = new ObjectMapper().readTree(response.body());
            } while (status.at("/pools/0/backends/0/activeFlows").asInt() + status.at("/pools/0/backends/1/activeFlows").asInt() < 1
                    && System.nanoTime() < deadline);

            assertThat(status.get("state").asText()).isEqualTo("running");
            assertThat(status.at("/listeners/0/name").asText()).isEqualTo("test");
            assertThat(status.at("/listeners/0/openConnections").asInt()).isEqualTo(1);
            assertThat(status.at("/listeners/0/address").asText()).endsWith(":" + proxy.listenerAddress("test").getPort());
            assertThat(status.at("/pools/0/policy").asText()).isEqualTo("round-robin");
            assertThat(status.at("/pools/0/backends/0/weight").asInt()).isEqualTo(3);
            assertThat(status.at("/pools/0/backends/0/state").asText()).isEqualTo("up");
            assertThat(status.at("/pools/0/backends/0/address").asText()).isEqualTo("127.0.0.1:" + backend.port());
            assertThat(status.at("/pools/0/backends/0/activeFlows").asInt()
                    + status.at("/pools/0/backends/1/activeFlows").asInt()).isEqualTo(1);
        }
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(response.body())
                .contains("# TYPE fulcrum_flows_accepted_total counter")
                .contains("fulcrum_flows_accepted_total{listener=\"test\"}")
                .contains("fulcrum_backend_active_flows{backend=\"b0\",pool=\"test\"}");
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405WithAReason() throws Exception {
        HttpResponse<String> missing = get("/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no route /nope");

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri("/healthz")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }
}
