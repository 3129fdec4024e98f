package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/reload}, {@code GET /api/backends}, the bearer token and JSON errors, on a proxy run from a file. */
class ReloadApiTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("fulcrum.yaml"), yaml);
    }

    private static String config(String backends, String extraPool) {
        return """
                runtime: {watchConfig: false}
                admin: {address: 127.0.0.1:0}
                listeners:
                  web: {bind: 127.0.0.1:0, pool: web}
                pools:
                  web:
                    backends: [%s]
                %s""".formatted(backends, extraPool);
    }

    @Test
    void aRefusedConfigKeepsTheOldOneAndTheReplyListsEveryProblem() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            Path file = file(config("127.0.0.1:" + a.port(), ""));
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(file))) {
                String checksum = proxy.configChecksum();
                file(config("127.0.0.1:" + a.port() + ", 127.0.0.1:0", "    policy: {type: maglev, tableSize: 12}\n"));

                HttpResponse<String> refused = post(proxy, "/api/reload", null);

                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
                JsonNode result = JSON.readTree(refused.body());
                assertThat(result.get("result").asText()).isEqualTo("refused");
                assertThat(result.get("errors")).hasSize(2);
                assertThat(result.get("errors").get(0).asText()).startsWith(file + ": pools.web.");
                assertThat(refused.body()).contains("backends[1]").contains("tableSize");
                JsonNode status = JSON.readTree(get(proxy, "/api/status").body());
                assertThat(status.get("configChecksum").asText()).isEqualTo(checksum).startsWith("sha256:");
                assertThat(status.get("lastReload").get("result").asText()).isEqualTo("refused");
                assertThat(proxy.config().pools().get("web").backends()).hasSize(1);
                try (Socket flow = new Socket("127.0.0.1", proxy.listenerAddress("web").getPort())) {
                    assertEchoes(flow);
                }

                file(config("127.0.0.1:" + a.port() + ", {address: 127.0.0.1:" + b.port() + ", name: b, weight: 3}", ""));
                HttpResponse<String> applied = post(proxy, "/api/reload", null);

                assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
                JsonNode ok = JSON.readTree(applied.body());
                assertThat(ok.get("changes").get("backendsAdded").get(0).asText()).isEqualTo("web/b (127.0.0.1:" + b.port() + ")");
                assertThat(ok.get("previousChecksum").asText()).isEqualTo(checksum);
                assertThat(ok.get("checksum").asText()).isNotEqualTo(checksum).isEqualTo(proxy.configChecksum());
                JsonNode backends = JSON.readTree(get(proxy, "/api/backends").body()).get("pools").get(0).get("backends");
                assertThat(backends).hasSize(2);
                assertThat(backends.get(1).get("name").asText()).isEqualTo("b");
                assertThat(backends.get(1).get("weight").asInt()).isEqualTo(3);
                assertThat(backends.get(1).get("state").asText()).isEqualTo("up");
                assertThat(backends.get(0).get("flows").asLong()).as("totals carried over the reload").isEqualTo(1);
                assertThat(backends.get(0).get("bytesToClient").asLong()).isEqualTo(4);
                String metrics = get(proxy, "/metrics").body();
                assertThat(metrics).contains("fulcrum_config_reloads_total{result=\"refused\"} 1.0")
                        .contains("fulcrum_config_reloads_total{result=\"ok\"} 1.0")
                        .contains("fulcrum_config_last_reload_success_timestamp_seconds");
            }
        }
    }

    @Test
    void theTokenProtectsEveryPostRouteAndGetRoutesStayOpen() throws Exception {
        try (TestServer a = TestServer.echo()) {
            Files.writeString(dir.resolve("token"), "s3cret-token\n");
            Path file = file(config("127.0.0.1:" + a.port(), "").replace("admin: {address: 127.0.0.1:0}",
                    "admin: {address: 127.0.0.1:0, tokenFile: token}"));
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(file))) {
                String drain = "/api/pools/web/backends/127.0.0.1:" + a.port() + "/drain";
                for (String route : new String[] {"/api/reload", drain}) {
                    HttpResponse<String> missing = post(proxy, route, null);
                    assertThat(missing.statusCode()).isEqualTo(401);
                    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                    assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("Authorization: Bearer");
                    HttpResponse<String> wrong = post(proxy, route, "s3cret-tokeN");
                    assertThat(wrong.statusCode()).isEqualTo(401);
                    assertThat(wrong.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");
                }
                assertThat(post(proxy, "/api/some-future-route", null).statusCode()).as("checked before routing").isEqualTo(401);
                assertThat(post(proxy, "/api/some-future-route", "s3cret-token").statusCode()).isEqualTo(404);
                assertThat(proxy.backend("web", "127.0.0.1:" + a.port()).isDraining()).isFalse();
                assertThat(post(proxy, drain, "s3cret-token").statusCode()).isEqualTo(200);
                assertThat(proxy.backend("web", "127.0.0.1:" + a.port()).isDraining()).isTrue();
                assertThat(post(proxy, "/api/reload", "s3cret-token").statusCode()).isEqualTo(200);
                assertThat(proxy.backend("web", "127.0.0.1:" + a.port()).isDraining()).as("draining carries over a reload").isTrue();
                assertThat(get(proxy, "/api/status").statusCode()).isEqualTo(200);
                assertThat(get(proxy, "/api/backends").statusCode()).isEqualTo(200);
                assertThat(get(proxy, "/metrics").statusCode()).isEqualTo(200);

                Files.writeString(dir.resolve("token"), "rotated\n"); // a new token takes effect at the next reload
                assertThat(post(proxy, "/api/reload", "s3cret-token").statusCode()).isEqualTo(200);
                assertThat(post(proxy, "/api/reload", "s3cret-token").statusCode()).isEqualTo(401);
                assertThat(post(proxy, "/api/reload", "rotated").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void everyBadRequestGetsAJsonError() throws Exception {
        try (TestServer a = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(file(config("127.0.0.1:" + a.port(), ""))))) {
            HttpResponse<String> unknown = get(proxy, "/api/nope");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("/api/backends").contains("/api/reload");
            HttpResponse<String> getReload = get(proxy, "/api/reload");
            assertThat(getReload.statusCode()).isEqualTo(405);
            assertThat(getReload.headers().firstValue("Allow")).hasValue("POST");
            assertThat(JSON.readTree(getReload.body()).has("error")).isTrue();
            HttpResponse<String> postBackends = post(proxy, "/api/backends", null);
            assertThat(postBackends.statusCode()).isEqualTo(405);
            assertThat(postBackends.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(raw(proxy, "GET /healthz HTTP/1.1\r\nContent-Length: many\r\n\r\n")).startsWith("HTTP/1.1 400").contains("\"error\"");
            // Refused on its headers, before any of the body is sent (closing with unread bytes would reset the answer away).
            String huge = "POST /api/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
            assertThat(raw(proxy, huge)).startsWith("HTTP/1.1 413").contains("\"error\"");
        }
    }

    private static void assertEchoes(Socket flow) throws Exception {
        flow.setSoTimeout(10_000);
        flow.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(flow.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
    }

    private static String raw(FulcrumProxy proxy, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.adminAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketException reset) {
            throw new AssertionError("no answer before the connection was reset", reset);
        }
    }

    static HttpResponse<String> get(FulcrumProxy proxy, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(proxy, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(FulcrumProxy proxy, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(proxy, path)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(FulcrumProxy proxy, String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }
}
