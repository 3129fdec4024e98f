package dev.fulcrum.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * GET /metrics of a running proxy that carried traffic, checked by Prometheus's own tools: Debian's
 * {@code promtool check metrics}, and a real Prometheus server scraping the admin port.
 */
class PrometheusExpositionTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static TestServer backend;
    private static FulcrumProxy proxy;

    @BeforeAll
    static void startAndCarryTraffic() throws Exception {
        backend = TelemetryTraffic.slowResponder();
        proxy = FulcrumProxy.start(TestConfigs.builder().admin().backend(backend.port()).backend(closedPort()).build());
        TelemetryTraffic.Collected collected = new TelemetryTraffic.Collected(proxy);
        for (int i = 0; i < 6; i++) {
            TelemetryTraffic.exchange(proxy);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (collected.sum("n_fct") < 6 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void promtoolFindsNoProblemInARealScrape(@TempDir Path dir) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertThat(Files.isExecutable(promtool)).as("promtool (Debian package prometheus) is required: scripts/require-tools promtool:prometheus").isTrue();
        String body = scrape();
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, body);
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).as("promtool's findings").isEmpty();
        assertThat(check.exitValue()).isZero();

        // What the issue asks to see, with the traffic it carried.
        assertThat(body).contains("fulcrum_backend_connect_time_seconds_bucket{backend=\"b0\"",
                "fulcrum_backend_first_byte_time_seconds_bucket", "fulcrum_backend_flow_completion_time_seconds_count",
                "fulcrum_backend_connect_failures_total{backend=\"b1\"", "fulcrum_backend_connect_retries_total",
                "fulcrum_backend_weight{", "fulcrum_backend_active_flows{", "fulcrum_backend_bytes_total");
        if (proxy.telemetry().readsTcpInfo()) {
            assertThat(body).contains("fulcrum_backend_rtt_seconds_bucket", "fulcrum_backend_tcp_cwnd_bytes{", "fulcrum_backend_tcp_rcv_space_bytes{");
        }
        Matcher flowsCount = Pattern.compile("fulcrum_backend_flow_completion_time_seconds_count\\{backend=\"b0\",pool=\"test\"} (\\S+)").matcher(body);
        assertThat(flowsCount.find()).isTrue();
        assertThat(Double.parseDouble(flowsCount.group(1))).isEqualTo(6);
        // Bounded label sets: only listener, pool, backend and small enumerations (reason, direction, result, le).
        Set<String> labels = new TreeSet<>();
        Matcher label = Pattern.compile("[{,]([a-z_]+)=\"").matcher(body);
        while (label.find()) {
            labels.add(label.group(1));
        }
        assertThat(labels).isSubsetOf("listener", "pool", "backend", "reason", "direction", "result", "le");
    }

    @Test
    void aRealPrometheusScrapesTheAdminPort(@TempDir Path dir) throws Exception {
        Path prometheus = Path.of("/usr/bin/prometheus");
        assertThat(Files.isExecutable(prometheus)).as("prometheus (Debian package prometheus) is required: scripts/require-tools prometheus:prometheus").isTrue();
        int port = closedPort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: fulcrum
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(proxy.adminAddress().getPort()));
        Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String query = URLEncoder.encode("fulcrum_backend_flow_completion_time_seconds_count{backend=\"b0\"}", StandardCharsets.UTF_8);
            URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + query);
            JsonNode result = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && server.isAlive()) {
                try {
                    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode data = new ObjectMapper().readTree(response.body()).at("/data/result");
                    if (data.isArray() && data.size() > 0) {
                        result = data.get(0);
                        break;
                    }
                } catch (IOException notYetListening) {
                    // Prometheus is still starting.
                }
                Thread.sleep(250);
            }
            assertThat(result).as("the fulcrum series in Prometheus; its log:\n" + Files.readString(dir.resolve("prometheus.log"))).isNotNull();
            assertThat(result.at("/metric/job").asText()).isEqualTo("fulcrum");
            assertThat(result.at("/metric/pool").asText()).isEqualTo("test");
            assertThat(Double.parseDouble(result.at("/value/1").asText())).isEqualTo(6);
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }
}
