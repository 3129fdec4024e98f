package dev.fulcrum.proxy.reliability;

import dev.fulcrum.proxy.testing.FulcrumProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.cli.FulcrumCommand;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fulcrum run} as its own process, SIGTERMed under load from eight client loops: every flow
 * it admitted completes intact, every later connect is refused cleanly, no client hangs, and the
 * process exits 0 having cut nothing.
 */
class SigtermUnderLoadProcessTest {

    private static final long FLOW = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a new JVM: up to 120 s to start on a loaded machine, then the test's own bounded waits
    void sigtermUnderLoadDrainsEveryAdmittedFlowIntact() throws Exception {
        try (TestServer echo = TestServer.echo(); EchoFlows clients = new EchoFlows()) {
            Path config = Files.writeString(dir.resolve("fulcrum.yaml"), """
                    runtime: {drainTimeout: 20s, watchConfig: false}
                    admin: {address: 127.0.0.1:0}
                    listeners:
                      web: {bind: 127.0.0.1:0, pool: web}
                    pools:
                      web: {backends: [127.0.0.1:%d]}
                    """.formatted(echo.port()));
            Path log = dir.resolve("fulcrum.log");
            Process fulcrum = new ProcessBuilder(BackendProcess.javaCommand(), "-cp", System.getProperty("java.class.path"),
                    "-Dlogback.configurationFile=logback.xml", FulcrumCommand.class.getName(), "run", "-c", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", FulcrumProcesses.awaitStarted(fulcrum, log).listener("web"));
                List<CompletableFuture<List<Checked>>> loops = new ArrayList<>();
                AtomicInteger done = new AtomicInteger();
                for (int c = 0; c < 8; c++) {
                    long base = 10_000L * (c + 1);
                    loops.add(CompletableFuture.supplyAsync(() -> {
                        List<Checked> flows = new ArrayList<>();
                        for (long seed = base; ; seed++) {
                            Checked flow = clients.start(address, seed, FLOW, 64 * 1024, 2).join();
                            flows.add(flow);
                            done.incrementAndGet();
                            if (flow.failure() instanceof ConnectException) {
                                return flows; // the listener is closed: the clean end of this loop
                            }
                        }
                    }, runnable -> new Thread(runnable, "sigterm-client").start()));
                }
                Resources.until(() -> done.get() >= 16, 60_000, () -> "sixteen flows done before SIGTERM, " + done.get() + " so far");
                fulcrum.destroy(); // SIGTERM, with eight flows in progress

                List<Checked> flows = new ArrayList<>();
                for (CompletableFuture<List<Checked>> loop : loops) {
                    flows.addAll(loop.get(60, TimeUnit.SECONDS)); // no client hangs; a corrupt byte fails here
                }
                long completed = flows.stream().filter(f -> f.complete(FLOW)).count();
                List<Checked> broken = flows.stream()
                        .filter(f -> !f.complete(FLOW) && !(f.failure() instanceof ConnectException))
                        .filter(f -> f.bytes() > 0) // never admitted (reset in the backlog as the listener closed) is clean too
                        .toList();
                assertThat(completed).as("flows before SIGTERM").isGreaterThan(8);
                assertThat(broken).as("admitted flows cut by the drain").isEmpty();
                assertThat(fulcrum.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(fulcrum.exitValue()).as(Files.readString(log)).isZero();
                assertThat(Files.readString(log)).contains("stopped (0 flows cut at the drain timeout)");
            } finally {
                fulcrum.destroyForcibly();
            }
        }
    }
}
