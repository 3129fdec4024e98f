package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.reliability.Resources.Baseline;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Backends that accept and never read, send garbage, or reset at random: what the proxy holds
 * stays bounded, the flow ends with the right reason, no byte is corrupted, other flows go on.
 */
class MisbehavingBackendsTest {

    private static final long MIB = 1024 * 1024;
    private static final int HIGH = 64 * 1024;
    private static final int ONE_READ = 64 * 1024;

    @Test
    void backendThatAcceptsAndNeverReadsHoldsABoundedBufferUntilTheIdleTimeoutEndsIt() throws Exception {
        CountDownLatch testDone = new CountDownLatch(1);
        try (TestServer mute = TestServer.start(socket -> testDone.await(60, TimeUnit.SECONDS));
                TestServer echo = TestServer.echo();
                EchoFlows clients = new EchoFlows()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().idleTimeout(Duration.ofSeconds(1))
                    .waterMarks(HIGH / 2, HIGH).backend(mute.port(), 1, 1).backend(echo.port()).build())) {
                InetSocketAddress address = proxy.listenerAddress(TestConfigs.LISTENER);
                CompletableFuture<Checked> stuck = clients.start(address, 1, 64 * MIB, 64 * 1024, 0);
                Resources.until(() -> mute.accepted() == 1, "the mute backend took the first flow");
                // While it is stuck, the proxy holds at most a high water mark and a read for it.
                assertThat(proxy.bufferedBytes(TestConfigs.LISTENER)).isLessThanOrEqualTo(HIGH + ONE_READ);
                Checked other = clients.start(address, 2, 2 * MIB, 64 * 1024, 0).get(30, TimeUnit.SECONDS);
                assertThat(other.complete(2 * MIB)).as("a flow on the other backend goes on: " + other).isTrue();

                Checked cut = stuck.get(30, TimeUnit.SECONDS);
                assertThat(cut.complete(64 * MIB)).isFalse();
                Resources.until(() -> Scrape.ended(proxy, EndReason.IDLE_TIMEOUT) == 1, "the stuck flow ended at the idle timeout");
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
            } finally {
                testDone.countDown();
            }
            baseline.awaitReturn(8, 32 * MIB);
        }
    }

    @Test
    void garbageFromABackendReachesTheClientByteExact() throws Exception {
        // An L4 proxy has no notion of garbage: whatever a backend sends, the client gets, in order.
        try (TestServer garbage = TestServer.start(socket -> {
                    PatternStream.write(socket.getOutputStream(), 77, 0, 3 * MIB, 1 + 4093);
                    socket.shutdownOutput();
                    socket.getInputStream().readAllBytes();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(garbage.port()).build());
                Socket client = new Socket()) {
            client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
            client.setSoTimeout(30_000);
            client.shutdownOutput();
            Checked got = PatternStream.readAndCheck(client.getInputStream(), 77, 3 * MIB);
            assertThat(got.complete(3 * MIB)).as(got.toString()).isTrue();
        }
    }

    @Test
    void backendResettingAtRandomCutsItsFlowsCleanlyAndCountsThem() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        AtomicInteger resets = new AtomicInteger();
        try (TestServer flaky = TestServer.start(socket -> {
                    long resetAfter;
                    synchronized (random) {
                        resetAfter = random.nextInt(3) == 0 ? Long.MAX_VALUE : random.nextLong(1, 2 * MIB);
                    }
                    byte[] buffer = new byte[16 * 1024];
                    var in = socket.getInputStream();
                    var out = socket.getOutputStream();
                    long echoed = 0;
                    for (int n; (n = in.read(buffer, 0, (int) Math.min(buffer.length, Math.max(1, resetAfter - echoed)))) > 0; ) {
                        out.write(buffer, 0, n);
                        echoed += n;
                        if (echoed >= resetAfter) {
                            resets.incrementAndGet();
                            socket.setSoLinger(true, 0);
                            socket.close(); // RST
                            return;
                        }
                    }
                    socket.shutdownOutput();
                });
                EchoFlows clients = new EchoFlows()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(flaky.port()).build())) {
                List<CompletableFuture<Checked>> flows = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    flows.add(clients.start(proxy.listenerAddress(TestConfigs.LISTENER), 500 + i, 2 * MIB, 32 * 1024, 1));
                }
                List<Checked> results = EchoFlows.await(flows); // every byte that came was the right one
                long complete = results.stream().filter(r -> r.complete(2 * MIB)).count();
                assertThat(complete + resets.get()).as(results.toString()).isEqualTo(24);
                assertThat(resets.get()).isGreaterThan(0);
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
                Resources.until(() -> Scrape.endedTotal(proxy) == 24, "every flow ended with a reason");
                assertThat(Scrape.ended(proxy, EndReason.BACKEND_RESET)).as("resets counted").isGreaterThanOrEqualTo(1);
                assertThat(Scrape.ended(proxy, EndReason.ERROR)).isZero();
            }
            baseline.awaitReturn(8, 32 * MIB);
        }
    }
}
