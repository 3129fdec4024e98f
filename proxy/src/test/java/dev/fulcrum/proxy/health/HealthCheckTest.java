package dev.fulcrum.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.ProxyStatus.BackendStatus;
import dev.fulcrum.proxy.config.HealthCheckConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Active health checks against real loopback backends, through a running proxy. */
class HealthCheckTest {

    // A check of a healthy loopback backend must not time out on a loaded machine: its answer waits
    // for the stub's threads and the health loop to be scheduled, which took over 50 ms under load.
    // 400 ms (under the interval, as the config requires) keeps a false DOWN (two timeouts in a row)
    // out of reach, and the tests still see every transition within a couple of seconds.
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private static final HealthCheckConfig TCP = HealthCheckConfig.tcp(INTERVAL, TIMEOUT, 2, 2);

    private static HealthCheckConfig http(String... expect) {
        return HealthCheckConfig.http("/healthz", expect.length == 0 ? List.of("200") : List.of(expect), INTERVAL, TIMEOUT, 2, 2);
    }

    @Test
    void aBackendThatStopsListeningGoesDownTakesNoNewFlowsAndKeepsItsOpenOnes() throws Exception {
        try (SwitchableBackend a = new SwitchableBackend("a");
                SwitchableBackend b = new SwitchableBackend("b");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().health(TCP)
                        .backend(a.port()).backend(b.port()).build())) {
            Flow throughA = flowTo(proxy, "a");

            a.stopListening();
            until(() -> !proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "b0 down");

            assertThat(throughA.ask("still there")).as("an open flow is never cut").isEqualTo("a:still there");
            assertThat(backendsOfNewFlows(proxy, 6)).containsExactly("b");
            assertThat(proxy.backend(TestConfigs.POOL, "b1").isHealthy()).isTrue();

            a.listen();
            until(() -> proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "b0 up again");

            assertThat(backendsOfNewFlows(proxy, 6)).containsExactlyInAnyOrder("a", "b");
            assertThat(throughA.ask("and now")).isEqualTo("a:and now");
            throughA.close();
        }
    }

    @Test
    void anHttpBackendAnswering503GoesDownAndComesBackUpOn200() throws Exception {
        try (HttpStub stub = new HttpStub(200);
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().health(http()).backend(stub.port()).build())) {
            until(() -> !stub.requestLines().isEmpty(), "a first check");
            assertThat(stub.requestLines().get(0)).isEqualTo("GET /healthz HTTP/1.1");

            stub.answer(503);
            until(() -> !proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "down on 503");
            assertThat(health(proxy, 0).consecutiveFailures()).isGreaterThanOrEqualTo(2);
            double passesWhileDown = scraped(proxy, "fulcrum_backend_health_checks_total", "b0", "result=\"pass\"");

            stub.answer(200);
            until(() -> proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "up on 200");
            // Counted, not read from consecutivePasses: a later check may already have run (and, on a
            // loaded machine, timed out) by the time the test looks; the counter only grows.
            assertThat(scraped(proxy, "fulcrum_backend_health_checks_total", "b0", "result=\"pass\"") - passesWhileDown)
                    .as("rise: two passes to come back up").isGreaterThanOrEqualTo(2.0);
        }
    }

    @Test
    void expectStatusListDecidesWhatPasses() throws Exception {
        try (HttpStub stub = new HttpStub(302);
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().health(http("204", "3xx")).backend(stub.port()).build())) {
            until(() -> health(proxy, 0).consecutivePasses() >= 3, "302 passes as 3xx");

            stub.answer(200);
            until(() -> !proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "200 is not expected: down");

            stub.answer(204);
            until(() -> proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "204 is expected: up");
        }
    }

    @Test
    void aBackendThatAcceptsButNeverAnswersTimesOutAndGoesDown() throws Exception {
        try (HttpStub silent = new HttpStub(0);
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().health(http()).backend(silent.port()).build())) {
            until(() -> !proxy.backend(TestConfigs.POOL, "b0").isHealthy(), "down after timeouts");

            assertThat(scraped(proxy, "fulcrum_backend_health_checks_total", "b0", "result=\"timeout\"")).isGreaterThanOrEqualTo(2.0);
            assertThat(scraped(proxy, "fulcrum_backend_health_checks_total", "b0", "result=\"pass\"")).isZero();
        }
    }

    @Test
    void whenEveryBackendIsDownNewFlowsAreClosedAsNoBackend() throws Exception {
        try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().health(TCP)
                .backend(closedPort()).backend(closedPort()).build())) {
            until(() -> !proxy.backend(TestConfigs.POOL, "b0").isHealthy() && !proxy.backend(TestConfigs.POOL, "b1").isHealthy(),
                    "both down");

            try (Socket client = new Socket()) {
                client.connect(proxy.listenerAddress(TestConfigs.LISTENER));
                client.setSoTimeout(5_000);
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.NO_BACKEND) == 1, "no_backend counted");
            assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CONNECT_FAILED)).isZero();
        }
    }

    @Test
    void healthIsShownInTheStatusApiAndTheHealthyGauge() throws Exception {
        try (HttpStub failing = new HttpStub(503);
                HttpStub passing = new HttpStub(200);
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().admin().health(http())
                        .backend(failing.port()).backend(passing.port()).build())) {
            until(() -> !proxy.backend(TestConfigs.POOL, "b0").isHealthy() && health(proxy, 1).consecutivePasses() >= 1,
                    "b0 down, b1 checked");

            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + "/api/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode backends = new ObjectMapper().readTree(response.body()).at("/pools/0/backends");
            assertThat(backends.at("/0/state").asText()).isEqualTo("down");
            assertThat(backends.at("/0/health/type").asText()).isEqualTo("http");
            assertThat(backends.at("/0/health/state").asText()).isEqualTo("down");
            assertThat(backends.at("/0/health/consecutiveFailures").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(backends.at("/0/health/consecutivePasses").asInt()).isZero();
            assertThat(backends.at("/0/health/fall").asInt()).isEqualTo(2);
            assertThat(backends.at("/1/state").asText()).isEqualTo("up");
            assertThat(backends.at("/1/health/consecutivePasses").asInt()).isGreaterThanOrEqualTo(1);

            assertThat(scraped(proxy, "fulcrum_backend_healthy", "b0", "")).isEqualTo(0.0);
            assertThat(scraped(proxy, "fulcrum_backend_healthy", "b1", "")).isEqualTo(1.0);
            assertThat(scraped(proxy, "fulcrum_backend_health_checks_total", "b0", "result=\"fail\"")).isGreaterThanOrEqualTo(2.0);
        }
    }

    @Test
    void withoutHealthChecksEveryBackendIsUpWithNoHealthShown() throws Exception {
        try (SwitchableBackend a = new SwitchableBackend("a");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(a.port()).build())) {
            BackendStatus status = proxy.status().pools().get(0).backends().get(0);

            assertThat(status.state()).isEqualTo("up");
            assertThat(status.health()).isNull();
            assertThat(scraped(proxy, "fulcrum_backend_healthy", "b0", "")).isEqualTo(1.0);
            assertThat(proxy.registry().scrape()).doesNotContain("fulcrum_backend_health_checks_total{");
        }
    }

    // ---- helpers ----

    /** A client connection through the proxy that asks its backend one line at a time. */
    private static final class Flow implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        Flow(FulcrumProxy proxy) throws IOException {
            socket = new Socket();
            socket.connect(proxy.listenerAddress(TestConfigs.LISTENER));
            socket.setSoTimeout(5_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        String ask(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A flow that reached backend {@code name} (round robin gets there within a few). */
    private static Flow flowTo(FulcrumProxy proxy, String name) throws IOException {
        for (int i = 0; i < 10; i++) {
            Flow flow = new Flow(proxy);
            if (flow.ask("hello").startsWith(name + ":")) {
                return flow;
            }
            flow.close();
        }
        throw new AssertionError("no flow reached " + name);
    }

    /** The backends that {@code count} new flows reached. */
    private static Set<String> backendsOfNewFlows(FulcrumProxy proxy, int count) throws IOException {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < count; i++) {
            try (Flow flow = new Flow(proxy)) {
                String answer = flow.ask("which");
                reached.add(answer.substring(0, answer.indexOf(':')));
            }
        }
        return reached;
    }

    private static ProxyStatusHealth health(FulcrumProxy proxy, int backend) {
        var health = proxy.status().pools().get(0).backends().get(backend).health();
        return new ProxyStatusHealth(health.consecutivePasses(), health.consecutiveFailures());
    }

    private record ProxyStatusHealth(int consecutivePasses, int consecutiveFailures) {
    }

    /** A meter's value in the Prometheus scrape for one backend, whose line also contains {@code alsoContains}. */
    private static double scraped(FulcrumProxy proxy, String name, String backend, String alsoContains) {
        for (String line : proxy.registry().scrape().split("\n")) {
            if (line.startsWith(name + "{") && line.contains("backend=\"" + backend + "\"") && line.contains(alsoContains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0.0;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Polls for up to 30 s: several checks an interval apart, on a machine that may be slow to schedule them. */
    private static void until(BooleanSupplier condition, String description) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + description);
            }
            Thread.sleep(10);
        }
    }
}
