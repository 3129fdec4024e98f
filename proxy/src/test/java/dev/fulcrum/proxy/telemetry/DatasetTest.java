package dev.fulcrum.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.cli.FulcrumCommand;
import dev.fulcrum.proxy.config.TelemetryConfig;
import dev.fulcrum.proxy.config.TelemetryConfig.DatasetConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV dataset: header from the schema, a row per backend per tick, ground truth fetched per backend. */
class DatasetTest {

    @TempDir
    Path dir;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpServer groundTruthServer(String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/load", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void rowsCarryEveryFeatureAndTheGroundTruthOrAnEmptyCellWhenItFails() throws Exception {
        HttpServer truth = groundTruthServer("{\"busy\": 7, \"other\": 1}");
        Path csv = dir.resolve("features.csv");
        try (TestServer backend = TelemetryTraffic.slowResponder()) {
            DatasetConfig dataset = new DatasetConfig(csv, Map.of(
                    "test/b0", "http://127.0.0.1:" + truth.getAddress().getPort() + "/load",
                    "test/b1", "http://127.0.0.1:" + closedPort() + "/load"), "busy", Duration.ofMillis(500));
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).backend(backend.port())
                    .telemetry(new TelemetryConfig(Duration.ofMillis(50)).withDataset(dataset)).build())) {
                for (int i = 0; i < 4; i++) {
                    TelemetryTraffic.exchange(proxy);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (proxy.telemetry().datasetRows() < 40 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(proxy.registry().scrape()).contains("fulcrum_telemetry_ground_truth_failures_total{backend=\"b1\",pool=\"test\"}");
            }
        } finally {
            truth.stop(0);
        }
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String> expected = new ArrayList<>(List.of("schema", "timestamp", "tick_ms", "pool", "backend"));
        expected.addAll(FeatureSchema.columns());
        expected.add("ground_truth");
        assertThat(header).containsExactlyElementsOf(expected);
        assertThat(lines.size() - 1).isGreaterThanOrEqualTo(40);
        double flows = 0;
        int b0Truths = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertThat(cells).hasSize(header.size());
            assertThat(cells[0]).isEqualTo("1");
            String groundTruth = cells[cells.length - 1];
            if (cells[4].equals("b1")) {
                assertThat(groundTruth).as("a backend whose URL refuses: empty cells").isEmpty();
            } else if (!groundTruth.isEmpty()) {
                assertThat(groundTruth).isEqualTo("7");
                b0Truths++;
            }
            flows += Double.parseDouble(cells[header.indexOf("n_fct")]);
        }
        assertThat(b0Truths).as("rows of b0 with its ground truth").isPositive();
        assertThat(flows).isEqualTo(4);
    }

    @Test
    void recordCommandWritesTheDatasetForTheGivenTime() throws Exception {
        try (TestServer backend = TelemetryTraffic.slowResponder()) {
            Path config = dir.resolve("fulcrum.yaml");
            Files.writeString(config, """
                    admin: {address: off}
                    telemetry: {tick: 50ms}
                    listeners:
                      web: {bind: 127.0.0.1:0, pool: web}
                    pools:
                      web: {backends: [{name: only, address: 127.0.0.1:%d}]}
                    """.formatted(backend.port()));
            Path csv = dir.resolve("out").resolve("recorded.csv");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = FulcrumCommand.execute(new PrintWriter(out), new PrintWriter(err), "record", "-c", config.toString(),
                    "-o", csv.toString(), "-d", "1s");
            assertThat(exit).as(err.toString()).isZero();
            List<String> lines = Files.readAllLines(csv);
            assertThat(lines.get(0)).startsWith("schema,timestamp,tick_ms,pool,backend,n_p,n_f,");
            assertThat(lines.size()).isGreaterThan(2);
            assertThat(lines.get(1)).startsWith("1,").contains(",web,only,");
            assertThat(out.toString()).contains("recorded " + (lines.size() - 1) + " rows to " + csv);
        }
    }
}
