package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.testing.FulcrumProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.TestServer;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fulcrum run} as its own process: SIGTERM stops accepting, lets the open flow finish,
 * and the process exits 0.
 */
class GracefulShutdownProcessTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a new JVM: up to 120 s to start on a loaded machine, then the test's own bounded waits
    void sigtermDrainsOpenFlowsAndExitsZero() throws Exception {
        CountDownLatch terminated = new CountDownLatch(1);
        try (TestServer backend = TestServer.start(socket -> {
            var out = socket.getOutputStream();
            out.write(new byte[1000]);
            out.flush();
            terminated.await(60, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) { // the rest of the response comes after SIGTERM
                Thread.sleep(100);
                out.write(new byte[1000]);
                out.flush();
            }
            socket.shutdownOutput();
            socket.getInputStream().readAllBytes();
        })) {
            Path config = Files.writeString(dir.resolve("fulcrum.yaml"), """
                    runtime: {drainTimeout: 60s}
                    admin: {address: 127.0.0.1:0}
                    listeners:
                      web: {bind: 127.0.0.1:0, pool: web}
                    pools:
                      web: {backends: [127.0.0.1:%d]}
                    """.formatted(backend.port()));
            Path log = dir.resolve("fulcrum.log");
            Process fulcrum = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    // The production logging, not the tests' (logback-test.xml is on this class path too).
                    "-Dlogback.configurationFile=logback.xml", FulcrumCommand.class.getName(), "run", "-c", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                int port = FulcrumProcesses.awaitStarted(fulcrum, log).listener("web");
                try (Socket client = new Socket("127.0.0.1", port)) {
                    client.setSoTimeout(60_000);
                    assertThat(client.getInputStream().readNBytes(1000)).hasSize(1000);

                    fulcrum.destroy(); // SIGTERM
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!Files.readString(log).contains("SIGTERM: stopping") && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(Files.readString(log)).contains("SIGTERM: stopping");
                    // The line is logged before the drain closes the listener: on a loaded machine a
                    // connect right after it may still be accepted. Stopping to accept is what counts.
                    assertThat(refusedWithin(port, 60)).as("the listener closed after SIGTERM").isTrue();
                    terminated.countDown();

                    client.shutdownOutput();
                    assertThat(client.getInputStream().readAllBytes()).as("the rest of the response").hasSize(5000);
                }
                assertThat(fulcrum.waitFor(90, TimeUnit.SECONDS)).as("exits once the drain (60 s at most) is over").isTrue();
                assertThat(fulcrum.exitValue()).as(Files.readString(log)).isZero();
                assertThat(Files.readString(log)).contains("stopped (0 flows cut at the drain timeout)");
            } finally {
                fulcrum.destroyForcibly();
            }
        }
    }

    /** Whether connecting to {@code port} is refused within {@code seconds}; a connect that still gets through is closed at once. */
    private static boolean refusedWithin(int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - deadline < 0) {
            try {
                new Socket("127.0.0.1", port).close();
            } catch (ConnectException refused) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
