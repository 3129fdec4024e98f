package dev.fulcrum.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code loadtest/bench --smoke} (1 round, 1 thread, 1 s per workload) so the harness keeps
 * working: every peer must have carried traffic in every workload, and the report must hold
 * Fulcrum's ratio to each of them. Needs the shaded {@code proxy/target/fulcrum.jar} (built before
 * this module in the reactor) and the Debian tools, which the script installs or names.
 */
class BenchSmokeTest {

    private static final List<String> PEERS = List.of("direct", "fulcrum", "haproxy", "nginx");
    private static final List<String> PROXIES = List.of("fulcrum", "haproxy", "nginx");

    @Test
    void smokeRunMeasuresEveryPeerWithTraffic(@TempDir Path out) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path fulcrumJar = root.resolve("proxy/target/fulcrum.jar");
        assertThat(fulcrumJar).as("the shaded proxy jar (mvn package -pl proxy) must exist").exists();

        Path log = out.resolve("bench.log");
        ProcessBuilder bench = new ProcessBuilder(root.resolve("loadtest/bench").toString(), "--smoke", "--out", out.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        bench.environment().put("BENCH_NO_BUILD", "1");
        bench.environment().put("BENCH_TOOLS_CLASSPATH", System.getProperty("java.class.path").replace(File.pathSeparatorChar, ':'));
        Process process = bench.start();
        boolean finished = process.waitFor(240, TimeUnit.SECONDS);
        if (!finished) {
            process.destroy(); // SIGTERM: the harness stops its peers on the way out
            process.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("the smoke run finishes within 240 s; output:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("exit code; output:%n%s", output).isZero();

        JsonNode report = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        JsonNode rounds = report.path("rounds").path("1");
        for (String peer : PEERS) {
            assertThat(rounds.path("keepalive").path(peer).path(0).path("requests").asLong()).as(peer + " keep-alive requests").isPositive();
            assertThat(rounds.path("newconn").path(peer).path(0).path("requests").asLong()).as(peer + " new-connection requests").isPositive();
            assertThat(rounds.path("bulk").path(peer).path(0).path("bytes").asLong()).as(peer + " bulk bytes").isPositive();
            assertThat(rounds.path("latency").path(peer).path(0).path("recorded").asLong()).as(peer + " latency samples").isPositive();
        }
        for (String proxy : PROXIES) {
            JsonNode memory = rounds.path("memory").path(proxy).path(0);
            assertThat(memory.path("proxySockets").asLong()).as(proxy + " sockets for the idle connections")
                    .isGreaterThanOrEqualTo((long) (1.9 * memory.path("connections").asLong()));
            assertThat(rounds.path("bulk").path(proxy).path(0).path("proxyCpuSeconds").asDouble()).as(proxy + " CPU in bulk").isPositive();
        }
        JsonNode ratios = report.path("summary").path("1").path("keepalive").path("ratios");
        for (String other : List.of("direct", "haproxy", "nginx")) {
            assertThat(ratios.path(other).path("median").asDouble()).as("Fulcrum/" + other + " keep-alive ratio").isPositive();
        }
        assertThat(out.resolve("bench.md")).content().contains("Fulcrum/HAProxy");
        assertThat(Files.size(out.resolve("bench.png"))).as("the chart").isGreaterThan(1000);
    }
}
