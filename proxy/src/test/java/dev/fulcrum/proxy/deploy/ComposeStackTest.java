package dev.fulcrum.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus configuration of docker/compose.yaml, against a real
 * Fulcrum running the compose stack's own configuration (docker/compose/fulcrum.yaml, its backend
 * and watermark addresses pointed at loopback servers, plus a learned-hash, a load-aware and a
 * q-network pool with the learned module's fixture models, so that the model and learned-policy
 * panels have data): every PromQL expression of the dashboard names only metrics that Fulcrum
 * exports (a real scrape of /metrics), and a real Prometheus with the compose scrape
 * configuration evaluates each one to data.
 */
class ComposeStackTest {

    static final Path DOCKER = Path.of("../docker").toAbsolutePath().normalize();
    private static final Path FIXTURES = Path.of("../learned/src/test/resources/models").toAbsolutePath().normalize();
    private static final Path MODEL = FIXTURES.resolve("learned-hash.onnx");
    /** load = the window's mean of open flows: the prediction reads in the unit of the measured active flows. */
    private static final Path LOAD_MODEL = FIXTURES.resolve("load-open-flows.onnx");
    /** Q(s, k) highest for the child with the fewest flows, two children. */
    private static final Path Q_MODEL = Path.of("src/test/resources/qnet/least-loaded-2.onnx").toAbsolutePath();
    private static final List<String> LISTENERS = List.of("web", "hashed", "aware", "qnet");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\bfulcrum_[a-z0-9_]+\\b");

    private static final List<HttpServer> backends = new ArrayList<>();
    private static FulcrumProxy proxy;

    /**
     * The compose configuration, every address moved to loopback, and three learned pools added:
     * learned-hash, load-aware and q-network (whose children's feedback the demo backends answer).
     */
    @BeforeAll
    static void startTheComposeConfiguration(@TempDir Path dir) throws Exception {
        String yaml = Files.readString(DOCKER.resolve("compose/fulcrum.yaml"));
        for (String name : List.of("fast", "medium", "slow")) {
            HttpServer backend = DemoBackends.start(name);
            backends.add(backend);
            String address = "backend-" + name + ":8000";
            assertThat(yaml).as("compose/fulcrum.yaml names the compose service " + address).contains(address);
            yaml = yaml.replace(address, "127.0.0.1:" + backend.getAddress().getPort());
        }
        Path model = dir.resolve("clients.onnx");
        Files.copy(MODEL, model);
        Path loadModel = dir.resolve("loads.onnx");
        Files.copy(LOAD_MODEL, loadModel);
        Path qModel = dir.resolve("choices.onnx");
        Files.copy(Q_MODEL, qModel);
        String fast = "127.0.0.1:" + backends.get(0).getAddress().getPort();
        String medium = "127.0.0.1:" + backends.get(1).getAddress().getPort();
        String twoBackends = "[{name: fast, address: \"%s\"}, {name: medium, address: \"%s\"}]".formatted(fast, medium);
        yaml = yaml.replace("0.0.0.0:9901", "127.0.0.1:0").replace("0.0.0.0:8080", "127.0.0.1:0")
                .replace("listeners:\n", "listeners:\n  hashed: {bind: 127.0.0.1:0, pool: hashed}\n"
                        + "  aware: {bind: 127.0.0.1:0, pool: aware}\n  qnet: {bind: 127.0.0.1:0, pool: qnet}\n")
                .replace("pools:\n", "pools:\n  hashed:\n    policy: {type: learned-hash, model: %s, name: clients}\n    backends: [\"%s\"]\n"
                        .formatted(model, fast)
                        + "  aware:\n    policy: {type: load-aware, model: %s, name: loads}\n    backends: %s\n".formatted(loadModel, twoBackends)
                        + ("  qnet:\n    policy: {type: q-network, model: %s, name: choices, transitions: %s,\n"
                        + "      feedback: {fast: \"http://%s/api/feedback\", medium: \"http://%s/api/feedback\"}}\n    backends: %s\n")
                        .formatted(qModel, dir.resolve("transitions.ndjson"), fast, medium, twoBackends));
        FulcrumConfig config = ConfigLoader.parse(yaml, "compose/fulcrum.yaml (on loopback)");
        proxy = FulcrumProxy.start(config);
        // The compose pool has health checks: its backends take new flows once they pass (rise).
        int served = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (served < 12 && System.nanoTime() < deadline) {
            try {
                DemoBackends.get(proxy.listenerAddress("web"));
                served++;
            } catch (IOException | AssertionError notYetUp) {
                Thread.sleep(200);
            }
        }
        assertThat(served).as("requests through the compose listener").isEqualTo(12);
        for (String listener : LISTENERS) {
            DemoBackends.get(proxy.listenerAddress(listener));
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backends.forEach(b -> b.stop(0));
        ModelRegistry.global().close();
    }

    @Test
    void theImageAndComposeConfigurationsAreValid() throws Exception {
        // Host names are resolved at start, not by the loader: both files load as they are.
        ConfigLoader.load(DOCKER.resolve("fulcrum.yaml"));
        FulcrumConfig compose = ConfigLoader.load(DOCKER.resolve("compose/fulcrum.yaml"));
        assertThat(compose.pools().get("web").backends()).hasSize(3);
    }

    @Test
    void promtoolAcceptsThePrometheusConfiguration() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertThat(Files.isExecutable(promtool)).as("promtool (Debian package prometheus) is required: scripts/require-tools promtool:prometheus").isTrue();
        Process check = new ProcessBuilder(promtool.toString(), "check", "config", DOCKER.resolve("prometheus/prometheus.yml").toString())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    @Test
    void everyDashboardQueryNamesAnExportedMetric() throws Exception {
        String scrape = HTTP.send(HttpRequest.newBuilder(admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> exported = new TreeSet<>();
        Matcher sample = Pattern.compile("(?m)^(fulcrum_[a-z0-9_]+)[{ ]").matcher(scrape);
        while (sample.find()) {
            exported.add(sample.group(1));
        }
        // The learned pools are running, not just configured: their own series are in the scrape.
        assertThat(scrape).contains("fulcrum_backend_predicted_load{backend=\"medium\",pool=\"aware\"}")
                .contains("fulcrum_qnetwork_model_active{pool=\"qnet\"} 1.0")
                .contains("fulcrum_learned_hash_drift{name=\"clients\"}")
                .contains("fulcrum_feedback_polls_total{result=\"ok\",url=\"http://127.0.0.1:");
        Map<String, String> queries = DashboardQueries.of(DOCKER.resolve("grafana/dashboards/fulcrum.json"));
        assertThat(queries).hasSizeGreaterThan(35);
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        for (Map.Entry<String, String> query : queries.entrySet()) {
            Matcher metric = METRIC.matcher(query.getValue());
            Set<String> names = new TreeSet<>();
            while (metric.find()) {
                names.add(metric.group());
            }
            assertThat(names).as(query.getKey() + " names no Fulcrum metric: " + query.getValue()).isNotEmpty();
            names.removeAll(exported);
            if (!names.isEmpty()) {
                unknown.put(query.getKey(), names);
            }
        }
        assertThat(unknown).as("metrics the dashboard queries but /metrics does not export (exported: %s)", exported).isEmpty();
    }

    @Test
    void aPrometheusWithTheComposeScrapeConfigurationAnswersEveryDashboardQuery(@TempDir Path dir) throws Exception {
        Path prometheus = Path.of("/usr/bin/prometheus");
        assertThat(Files.isExecutable(prometheus)).as("prometheus (Debian package prometheus) is required: scripts/require-tools prometheus:prometheus").isTrue();
        String composeScrape = Files.readString(DOCKER.resolve("prometheus/prometheus.yml"));
        assertThat(composeScrape).contains("\"fulcrum:9901\"");
        // The compose file as it is, but on loopback and scraping every second so a test is short.
        Files.writeString(dir.resolve("prometheus.yml"), composeScrape.replace("\"fulcrum:9901\"", "\"127.0.0.1:" + proxy.adminAddress().getPort() + "\"")
                .replace("scrape_interval: 5s", "scrape_interval: 1s"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            Map<String, String> queries = DashboardQueries.of(DOCKER.resolve("grafana/dashboards/fulcrum.json"));
            Map<String, String> empty = new LinkedHashMap<>(queries);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!empty.isEmpty() && System.nanoTime() < deadline && server.isAlive()) {
                for (String listener : LISTENERS) {
                    DemoBackends.get(proxy.listenerAddress(listener));   // keeps the rates above zero
                }
                for (Map.Entry<String, String> query : new ArrayList<>(empty.entrySet())) {
                    JsonNode answer = query(port, DashboardQueries.substitute(query.getValue()));
                    if (answer == null) {
                        break;   // Prometheus is still starting
                    }
                    assertThat(answer.path("status").asText()).as(query.getKey() + ": " + answer).isEqualTo("success");
                    if (answer.at("/data/result").size() > 0) {
                        empty.remove(query.getKey());
                    }
                }
                Thread.sleep(500);
            }
            assertThat(empty).as("dashboard queries without data after 90 s; Prometheus's log:\n" + Files.readString(dir.resolve("prometheus.log")))
                    .isEmpty();
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static JsonNode query(int port, String promql) throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException notYetListening) {
            return null;
        }
    }

    private static URI admin(String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }

    /**
     * The compose backends (docker/compose/backend.py) in Java: HTTP 200 with their name, and
     * /watermark; here also /api/feedback, a child tier's report for the q-network pool.
     */
    static final class DemoBackends {

        static HttpServer start(String name) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String body = switch (exchange.getRequestURI().getPath()) {
                    case "/watermark" -> "{\"watermark\": 0.6}";
                    case "/api/feedback" -> "{\"schema\": \"fulcrum-feedback-v1\", \"activeFlows\": 0, \"reward\": null}";
                    default -> name + "\n";
                };
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            });
            server.start();
            return server;
        }

        /** One HTTP/1.0 GET through the proxy on a connection of its own; returns the body's first line. */
        static String get(InetSocketAddress proxy) throws IOException {
            try (Socket socket = new Socket()) {
                socket.connect(proxy, 2_000);
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: fulcrum\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(response).startsWith("HTTP/1.1 200");
                return response.substring(response.indexOf("\r\n\r\n") + 4).strip();
            }
        }

        private DemoBackends() {
        }
    }
}
