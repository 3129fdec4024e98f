package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.Streams;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import dev.fulcrum.proxy.testing.TestThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful drain lets open flows finish and refuses new ones; idle flows are closed. */
class DrainAndIdleTest {

    @Test
    void drainLetsOpenFlowsFinishAndRefusesNewOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer backend = TestServer.start(socket -> {
                    var out = socket.getOutputStream();
                    out.write(new byte[1000]);
                    out.flush();
                    release.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < 9; i++) {
                        out.write(new byte[1000]);
                        out.flush();
                        Thread.sleep(30);
                    }
                    socket.shutdownOutput();
                    socket.getInputStream().readAllBytes();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy);
                TestThreads threads = new TestThreads()) {
            client.setSoTimeout(10_000);
            var address = proxy.listenerAddress(TestConfigs.LISTENER);
            assertThat(client.getInputStream().readNBytes(1000)).hasSize(1000);

            CompletableFuture<Integer> cut = threads.supply(() -> {
                try {
                    return proxy.drain(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // drain() says "draining" before it closes the listener: wait for the refusal itself (a
            // fixed 50 ms after "draining" was too short for a loaded machine).
            TestWaits.until(() -> refused(address), "the listener closed");

            release.countDown();
            client.shutdownOutput();
            assertThat(Streams.readAll(client.getInputStream()).bytes()).isEqualTo(9000L);
            assertThat(cut.get(10, TimeUnit.SECONDS)).as("flows cut at the drain timeout").isZero();
        }
    }

    @Test
    void flowsStillOpenAtTheDrainTimeoutAreClosed() throws Exception {
        try (TestServer backend = TestServer.start(socket -> socket.getInputStream().readAllBytes());
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(10_000);
            TestWaits.until(() -> backend.accepted() == 1, "the flow reached its backend");
            assertThat(proxy.drain(Duration.ofMillis(300))).isEqualTo(1);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.SHUTDOWN) == 1, "the cut flow counted");
        }
    }

    @Test
    void idleFlowIsClosedAndABusyOneIsNot() throws Exception {
        try (TestServer echo = TestServer.echo();
                // 1 s against a write every 100 ms: the busy flow must not look idle when the test thread
                // is descheduled for a few hundred ms on a loaded machine (400 ms was within reach).
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().idleTimeout(Duration.ofSeconds(1))
                        .backend(echo.port()).build());
                Socket idle = HalfCloseAndResetTest.connect(proxy);
                Socket busy = HalfCloseAndResetTest.connect(proxy)) {
            idle.setSoTimeout(10_000);
            busy.setSoTimeout(10_000);
            for (int i = 0; i < 30; i++) { // 3 s of traffic every 100 ms, three idle timeouts long
                busy.getOutputStream().write(i);
                assertThat(busy.getInputStream().read()).isEqualTo(i);
                Thread.sleep(100);
            }
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.IDLE_TIMEOUT) == 1, "the idle flow counted");
            busy.getOutputStream().write(42);
            assertThat(busy.getInputStream().read()).as("the busy flow is still open").isEqualTo(42);
        }
    }

    @Test
    void flowStalledByAClientThatStopsReadingTimesOut() throws Exception {
        // The backend keeps sending and the client reads nothing: once the proxy's queue to the
        // client is full it stops reading the backend (backpressure), nothing moves, and the idle
        // timeout ends the flow although writes are still queued for the client.
        CompletableFuture<Throwable> backendSaw = new CompletableFuture<>();
        try (TestServer backend = TestServer.start(socket -> {
                    try {
                        for (int i = 0; i < 100_000; i++) {
                            socket.getOutputStream().write(new byte[16 * 1024]);
                        }
                        backendSaw.complete(null);
                    } catch (java.io.IOException e) {
                        backendSaw.complete(e);
                    }
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().idleTimeout(Duration.ofMillis(400))
                        .backend(backend.port()).build());
                Socket stalled = HalfCloseAndResetTest.connect(proxy)) {
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.IDLE_TIMEOUT) == 1,
                    "the stalled flow ended by the idle timeout");
            assertThat(backendSaw.get(10, TimeUnit.SECONDS)).as("the backend's connection was closed under it")
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    /** Whether a connect to {@code address} is refused now; one that gets through is closed at once. */
    private static boolean refused(InetSocketAddress address) {
        try {
            new Socket(address.getAddress(), address.getPort()).close();
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
