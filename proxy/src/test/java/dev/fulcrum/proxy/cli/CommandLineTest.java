package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.testing.FulcrumProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code fulcrum} command line, run in-process: exit codes and what it prints. */
class CommandLineTest {

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
    }

    static Result fulcrum(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FulcrumCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void versionNamesFulcrumAndTheTransport() {
        Result result = fulcrum("version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("fulcrum 0.").contains("netty 4.2.18.Final").contains("epoll available");
    }

    @Test
    void checkConfigPrintsTheNormalisedConfiguration() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.yaml"), """
                listeners:
                  web: {bind: 127.0.0.1:8080, pool: web}
                pools:
                  web:
                    backends: [127.0.0.1:9001, {address: 127.0.0.1:9002, weight: 3}]
                """);
        Result result = fulcrum("check-config", file.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("connectTimeout: 2s").contains("type: round-robin").contains("weight: 3");
    }

    @Test
    void checkConfigListsEveryProblemAndExitsTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                listeners:
                  web: {bind: 127.0.0.1:8080, pool: nope}
                pools:
                  web:
                    backends: [{address: 127.0.0.1, weight: 0}]
                """);
        Result result = fulcrum("check-config", file.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("invalid configuration (3 problems):")
                .contains(file + ": listeners.web.pool: ")
                .contains(file + ": pools.web.backends[0].address: ")
                .contains(file + ": pools.web.backends[0].weight: ");
    }

    @Test
    void runWithAnInvalidConfigurationStartsNothingAndExitsTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "listeners: {}\npools: {}\n");
        Result result = fulcrum("run", "-c", file.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(file + ": listeners: ");
    }

    @Test
    void runThatCannotBindOneListenerReleasesTheOthersAndExitsOne() throws IOException {
        int free = FulcrumProcesses.freePort();
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(dir.resolve("busy.yaml"), """
                    admin: {address: 127.0.0.1:0}
                    listeners:
                      first: {bind: 127.0.0.1:%d, pool: web}
                      second: {bind: 127.0.0.1:%d, pool: web}
                    pools:
                      web: {backends: [127.0.0.1:9]}
                    """.formatted(free, busy.getLocalPort()));
            Result result = fulcrum("run", "-c", file.toString());
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("listeners.second.bind: cannot listen on 127.0.0.1:" + busy.getLocalPort());
        }
        try (ServerSocket again = new ServerSocket(free, 50, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the first listener was closed again").isEqualTo(free);
        }
    }

    @Test
    void demoSendsRealTrafficThroughEveryBackend() {
        Result result = fulcrum("demo", "--port", "0", "--admin-port", "0", "--rate", "60", "--load-seconds", "3", "--exit-after-load");
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("Done: ").contains(", 0 failed");
        for (String backend : new String[] {"fast", "medium", "slow"}) {
            assertThat(result.out()).containsPattern("  " + backend + " +served +[1-9][0-9]* requests");
        }
    }

    @Test
    void simHashPrintsTheBalanceExperimentAsJson() throws Exception {
        Result result = fulcrum("sim", "hash", "--keys", "2000", "--bins", "8", "--distributions", "normal", "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.out());
        assertThat(json.get("bins").asInt()).isEqualTo(8);
        assertThat(json.get("results")).hasSize(9);
        assertThat(json.at("/results/0/distribution").asText()).isEqualTo("normal");
        assertThat(json.at("/results/0/mapper").asText()).isEqualTo("CH (bkdr)");
        assertThat(json.at("/results/0/idealRemapFraction").asDouble()).isEqualTo(0.125);
    }

    @Test
    void simHashRefusesAnUnknownDistribution() {
        Result result = fulcrum("sim", "hash", "--keys", "100", "--distributions", "zipf");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--distributions: zipf (expected: uniform, normal or log-normal)");
    }
}
