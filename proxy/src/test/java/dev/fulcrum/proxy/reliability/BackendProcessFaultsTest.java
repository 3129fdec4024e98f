package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.PoolOperations;
import dev.fulcrum.proxy.config.PoolOperations.OutlierDetectionConfig;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.reliability.Resources.Baseline;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Backends as processes of their own, killed with SIGKILL mid-transfer, frozen with SIGSTOP, and
 * flapping: only the flows on the faulty backend are cut, never corrupted, the rest complete, the
 * counters move, and the proxy's fds and direct memory return to their baseline.
 */
class BackendProcessFaultsTest {

    private static final long MIB = 1024 * 1024;
    private static final long DIRECT_SLACK = 32 * MIB;

    @Test
    void sigkilledBackendCutsOnlyItsFlowsAndNewFlowsGoElsewhereUntilItReturns() throws Exception {
        try (BackendProcess a = BackendProcess.start(); BackendProcess b = BackendProcess.start(); EchoFlows clients = new EchoFlows()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(a.port()).backend(b.port()).build())) {
                InetSocketAddress address = proxy.listenerAddress(TestConfigs.LISTENER);
                List<CompletableFuture<Checked>> flows = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    flows.add(clients.start(address, i, 8 * MIB, 64 * 1024, 5));
                }
                Resources.until(() -> proxy.backend(TestConfigs.POOL, "b0").activeFlows() == 4
                        && proxy.backend(TestConfigs.POOL, "b1").activeFlows() == 4, "four flows on each backend");
                Thread.sleep(200);
                a.kill();

                List<Checked> results = EchoFlows.await(flows); // a corrupt byte fails here
                long complete = results.stream().filter(r -> r.complete(8 * MIB)).count();
                long cut = results.size() - complete;
                assertThat(complete).as("the flows on the live backend completed: " + results).isGreaterThanOrEqualTo(4);
                assertThat(cut).as("the killed backend's flows were cut: " + results).isGreaterThanOrEqualTo(1);
                Resources.until(() -> Scrape.ended(proxy, EndReason.BACKEND_RESET) + Scrape.ended(proxy, EndReason.BACKEND_CLOSE) >= cut,
                        "each cut flow counted as ended by the backend");

                List<Checked> meanwhile = EchoFlows.await(List.of(
                        clients.start(address, 100, 256 * 1024, 16 * 1024, 0), clients.start(address, 101, 256 * 1024, 16 * 1024, 0),
                        clients.start(address, 102, 256 * 1024, 16 * 1024, 0), clients.start(address, 103, 256 * 1024, 16 * 1024, 0)));
                assertThat(meanwhile).as("new flows are retried on the live backend").allMatch(r -> r.complete(256 * 1024));
                assertThat(Scrape.counter(proxy, "fulcrum_backend_connect_failures_total", "backend=\"b0\"")).isGreaterThanOrEqualTo(1.0);

                a.restart();
                double before = Scrape.counter(proxy, "fulcrum_backend_bytes_total", "backend=\"b0\"");
                List<CompletableFuture<Checked>> after = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    after.add(clients.start(address, 200 + i, 256 * 1024, 16 * 1024, 0));
                }
                assertThat(EchoFlows.await(after)).allMatch(r -> r.complete(256 * 1024));
                assertThat(Scrape.counter(proxy, "fulcrum_backend_bytes_total", "backend=\"b0\""))
                        .as("the restarted backend takes flows again").isGreaterThan(before);
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
            }
            baseline.awaitReturn(16, DIRECT_SLACK);
        }
    }

    @Test
    void sigstoppedBackendStallsItsFlowsWhichCompleteIntactAfterSigcont() throws Exception {
        try (BackendProcess a = BackendProcess.start(); BackendProcess b = BackendProcess.start(); EchoFlows clients = new EchoFlows()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().policy("least-connections")
                    .backend(a.port()).backend(b.port()).build())) {
                InetSocketAddress address = proxy.listenerAddress(TestConfigs.LISTENER);
                List<CompletableFuture<Checked>> flows = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    flows.add(clients.start(address, 10 + i, 4 * MIB, 64 * 1024, 5));
                }
                Resources.until(() -> proxy.backend(TestConfigs.POOL, "b0").activeFlows() == 4
                        && proxy.backend(TestConfigs.POOL, "b1").activeFlows() == 4, "four flows on each backend");
                a.freeze();
                try {
                    // The frozen backend's flows hold; the other's finish, and new flows go there.
                    Resources.until(() -> proxy.backend(TestConfigs.POOL, "b1").activeFlows() == 0, 60_000,
                            () -> "the live backend's flows finished while the other was frozen");
                    assertThat(proxy.backend(TestConfigs.POOL, "b0").activeFlows()).isEqualTo(4);
                    List<Checked> meanwhile = EchoFlows.await(List.of(clients.start(address, 300, 128 * 1024, 16 * 1024, 0),
                            clients.start(address, 301, 128 * 1024, 16 * 1024, 0)));
                    assertThat(meanwhile).allMatch(r -> r.complete(128 * 1024));
                    Thread.sleep(500);
                } finally {
                    a.thaw();
                }
                List<Checked> results = EchoFlows.await(flows);
                assertThat(results).as("every flow, frozen or not, completes intact").allMatch(r -> r.complete(4 * MIB));
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
                assertThat(Scrape.ended(proxy, EndReason.IDLE_TIMEOUT) + Scrape.ended(proxy, EndReason.BACKEND_RESET)).isZero();
            }
            baseline.awaitReturn(16, DIRECT_SLACK);
        }
    }

    @Test
    void flappingBackendIsEjectedAndNoFlowThroughItIsCorrupted() throws Exception {
        PoolOperations ejection = new PoolOperations(
                new OutlierDetectionConfig(2, Duration.ofMillis(500), Duration.ofSeconds(2), 50), null, PoolOperations.SendProxyProtocol.OFF);
        try (BackendProcess a = BackendProcess.start(); BackendProcess b = BackendProcess.start(); EchoFlows clients = new EchoFlows()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().operations(ejection)
                    .backend(a.port()).backend(b.port()).build())) {
                InetSocketAddress address = proxy.listenerAddress(TestConfigs.LISTENER);
                AtomicBoolean running = new AtomicBoolean(true);
                List<CompletableFuture<List<Checked>>> loops = new ArrayList<>();
                for (int c = 0; c < 3; c++) {
                    long base = 1000L * (c + 1);
                    loops.add(CompletableFuture.supplyAsync(() -> {
                        List<Checked> done = new ArrayList<>();
                        for (long seed = base; running.get(); seed++) {
                            done.add(clients.start(address, seed, 512 * 1024, 32 * 1024, 2).join());
                        }
                        return done;
                    }, runnable -> new Thread(runnable, "flap-client").start()));
                }
                for (int flap = 0; flap < 3; flap++) {
                    Thread.sleep(400);
                    a.kill();
                    Thread.sleep(700);
                    a.restart();
                }
                Thread.sleep(400);
                running.set(false);
                List<Checked> results = new ArrayList<>();
                for (CompletableFuture<List<Checked>> loop : loops) {
                    results.addAll(loop.get(60, java.util.concurrent.TimeUnit.SECONDS)); // a corrupt byte fails here
                }
                long complete = results.stream().filter(r -> r.complete(512 * 1024)).count();
                assertThat(complete).as("most flows complete across the flapping: " + results.size() + " flows")
                        .isGreaterThanOrEqualTo(results.size() / 2);
                assertThat(Scrape.counter(proxy, "fulcrum_backend_ejections_total", "backend=\"b0\""))
                        .as("the flapping backend was ejected at least once").isGreaterThanOrEqualTo(1.0);
                assertThat(Scrape.counter(proxy, "fulcrum_backend_ejections_total", "backend=\"b1\"")).isZero();
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
                long accepted = (long) Scrape.counter(proxy, "fulcrum_flows_accepted_total", "listener=\"test\"");
                Resources.until(() -> Scrape.endedTotal(proxy) == accepted, "every accepted flow ended with a reason");
            }
            baseline.awaitReturn(16, DIRECT_SLACK);
        }
    }
}
