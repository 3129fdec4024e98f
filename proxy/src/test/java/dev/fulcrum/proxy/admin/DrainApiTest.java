package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Draining a backend through the admin API: no new flows, open ones continue, and the status shows them end. */
class DrainApiTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void drainedBackendKeepsItsOpenFlowsAndGetsNoNewOnesUntilUndrained() throws Exception {
        try (TestServer a = TestServer.echo();
                TestServer b = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().admin().backend(a.port()).backend(b.port()).build())) {
            Socket onA = connect(proxy); // round robin's first pick is b0
            assertEchoes(onA, 1);
            assertThat(a.accepted()).isEqualTo(1);

            HttpResponse<String> drained = post(proxy, "/api/pools/test/backends/b0/drain");
            assertThat(drained.statusCode()).isEqualTo(200);
            JsonNode status = JSON.readTree(drained.body());
            assertThat(status.get("state").asText()).isEqualTo("draining");
            assertThat(status.get("activeFlows").asInt()).isEqualTo(1);

            List<Socket> later = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket flow = connect(proxy);
                assertEchoes(flow, 2 + i);
                later.add(flow);
            }
            assertThat(a.accepted()).as("no new flow on the drained backend").isEqualTo(1);
            assertThat(b.accepted()).isEqualTo(4);
            assertEchoes(onA, 9); // the open flow on the drained backend still works

            onA.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            JsonNode b0;
            do {
                b0 = backendStatus(proxy, 0);
            } while (b0.get("activeFlows").asInt() > 0 && System.nanoTime() < deadline);
            assertThat(b0.get("activeFlows").asInt()).as("the status shows the drained backend's flows ending").isZero();
            assertThat(b0.get("state").asText()).isEqualTo("draining");

            assertThat(post(proxy, "/api/pools/test/backends/b0/undrain").statusCode()).isEqualTo(200);
            assertThat(backendStatus(proxy, 0).get("state").asText()).isEqualTo("up");
            for (int i = 0; i < 2; i++) {
                later.add(connect(proxy));
            }
            awaitAccepted(a, 2);
            for (Socket flow : later) {
                flow.close();
            }
        }
    }

    @Test
    void unknownBackendOrPoolIs404AndGetIs405() throws Exception {
        try (TestServer a = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().admin().backend(a.port()).build())) {
            HttpResponse<String> noBackend = post(proxy, "/api/pools/test/backends/nope/drain");
            assertThat(noBackend.statusCode()).isEqualTo(404);
            assertThat(noBackend.body()).contains("no backend nope in pool test");
            assertThat(post(proxy, "/api/pools/nope/backends/b0/drain").statusCode()).isEqualTo(404);

            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(uri(proxy, "/api/pools/test/backends/b0/drain")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("allow")).hasValue("POST");
            assertThat(backendStatus(proxy, 0).get("state").asText()).as("a refused request changes nothing").isEqualTo("up");
        }
    }

    private static Socket connect(FulcrumProxy proxy) throws IOException {
        Socket socket = new Socket();
        socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void assertEchoes(Socket socket, int value) throws IOException {
        socket.getOutputStream().write(value);
        assertThat(socket.getInputStream().read()).isEqualTo(value);
    }

    private static void awaitAccepted(TestServer server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.accepted() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.accepted()).as("flows reach the undrained backend again").isEqualTo(count);
    }

    private static JsonNode backendStatus(FulcrumProxy proxy, int index) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(proxy, "/api/status")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).at("/pools/0/backends/" + index);
    }

    private static HttpResponse<String> post(FulcrumProxy proxy, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(proxy, path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(FulcrumProxy proxy, String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }
}
