package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.testing.FulcrumProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.ReloadResult;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fulcrum run} as its own process: {@code kill -HUP} reloads the file with a flow open on
 * it, and the admin token comes from {@code FULCRUM_ADMIN_TOKEN}.
 */
class ReloadProcessTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a new JVM: up to 120 s to start on a loaded machine, then the test's own bounded waits
    void sighupReloadsTheFileWithoutClosingAnOpenFlow() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            // Port 0: the ports are read from the log once the process has bound them.
            String yaml = """
                    runtime: {watchConfig: false}
                    admin: {address: 127.0.0.1:0}
                    listeners:
                      web: {bind: 127.0.0.1:0, pool: web}
                    pools:
                      web: {backends: [%s]}
                    """;
            Path config = Files.writeString(dir.resolve("fulcrum.yaml"), yaml.formatted("127.0.0.1:" + a.port()));
            Path log = dir.resolve("fulcrum.log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Dlogback.configurationFile=logback.xml",
                    FulcrumCommand.class.getName(), "run", "-c", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("FULCRUM_ADMIN_TOKEN", "from-the-environment");
            Process fulcrum = builder.start();
            try {
                FulcrumProcesses.Ports ports = FulcrumProcesses.awaitStarted(fulcrum, log);
                int port = ports.listener("web");
                int adminPort = ports.admin();
                String before = status(adminPort).get("configChecksum").asText();
                try (Socket flow = new Socket("127.0.0.1", port)) {
                    flow.setSoTimeout(60_000);
                    echo(flow);
                    Files.writeString(config, yaml.formatted("127.0.0.1:" + a.port() + ", 127.0.0.1:" + b.port()));

                    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(fulcrum.pid())).inheritIO().start();
                    assertThat(kill.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(kill.exitValue()).isZero();

                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (status(adminPort).get("configChecksum").asText().equals(before) && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    JsonNode status = status(adminPort);
                    assertThat(status.get("configChecksum").asText()).as(Files.readString(log)).isNotEqualTo(before);
                    assertThat(status.get("pools").get(0).get("backends")).hasSize(2);
                    assertThat(status.get("lastReload").get("changes").get("backendsAdded").get(0).asText())
                            .isEqualTo("web/127.0.0.1:" + b.port() + " (127.0.0.1:" + b.port() + ")");
                    assertThat(fulcrum.isAlive()).as("SIGHUP does not stop the process").isTrue();
                    echo(flow); // the flow open across the reload goes on
                }
                long logged = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(log).contains("configuration reloaded") && System.nanoTime() < logged) {
                    Thread.sleep(20);
                }
                assertThat(Files.readString(log)).contains("SIGHUP: reloading").contains("configuration reloaded");

                HttpResponse<String> noToken = post(adminPort, "/api/reload", null);
                assertThat(noToken.statusCode()).isEqualTo(401);
                assertThat(post(adminPort, "/api/reload", "from-the-environment").statusCode()).isEqualTo(200);
            } finally {
                fulcrum.destroy();
                if (!fulcrum.waitFor(60, TimeUnit.SECONDS)) {
                    fulcrum.destroyForcibly();
                }
            }
            assertThat(fulcrum.exitValue()).isZero();
        }
    }

    @Test
    void aSighupWhileTheProxyStartsIsAppliedOnceItRuns() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            String yaml = """
                    runtime: {watchConfig: false}
                    admin: {address: off}
                    listeners:
                      web: {bind: 127.0.0.1:0, pool: web}
                    pools:
                      web: {backends: [%s]}
                    """;
            Path config = Files.writeString(dir.resolve("fulcrum.yaml"), yaml.formatted("127.0.0.1:" + a.port()));
            ReloadSignal signal = ReloadSignal.install();
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(config))) {
                // The file is edited and SIGHUP sent after the proxy started but before the handler knows it.
                Files.writeString(config, yaml.formatted("127.0.0.1:" + a.port() + ", 127.0.0.1:" + b.port()));
                assertThat(signal.onSignal()).as("nothing to reload yet").isNull();

                ReloadResult kept = signal.attach(proxy).get(30, TimeUnit.SECONDS);
                assertThat(kept.isOk()).as(kept.toString()).isTrue();
                assertThat(proxy.status().pools().get(0).backends()).hasSize(2);
                assertThat(signal.attach(proxy)).as("applied once").isNull();
            }
        }
    }

    private static void echo(Socket flow) throws Exception {
        flow.getOutputStream().write("hello".getBytes());
        assertThat(new String(flow.getInputStream().readNBytes(5))).isEqualTo("hello");
    }

    private static JsonNode status(int adminPort) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/api/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static HttpResponse<String> post(int adminPort, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
