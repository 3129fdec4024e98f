package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The epoll registration repair is in place, and the states around it neither lose bytes nor spin. */
class EpollRegistrationRepairTest {

    @Test
    void autoTransportIsEpollWithTheRepairOnBothSocketsOfAFlow() throws Exception {
        assertThat(EpollRegistrationRepair.isAvailable()).as(EpollRegistrationRepair.unavailabilityCause()).isTrue();
        CountDownLatch done = new CountDownLatch(1);
        try (TestServer backend = TestServer.start(socket -> done.await(10, TimeUnit.SECONDS));
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            assertThat(proxy.transportName()).isEqualTo("epoll");
            TestWaits.until(() -> backend.accepted() == 1, "the flow reached its backend");
            Channel clientSide = proxy.clientChannels(TestConfigs.LISTENER).get(0);
            ProxiedFlow flow = clientSide.pipeline().get(RelayHandler.class).flow();
            // The backend accepting comes before the proxy's loop handles its connect completion.
            TestWaits.until(() -> clientSide.eventLoop().submit(() -> flow.channel(ProxiedFlow.Side.BACKEND) != null)
                    .syncUninterruptibly().getNow(), "the proxy saw its backend connection complete");
            boolean[] repaired = clientSide.eventLoop().submit(() -> new boolean[] {
                    EpollRegistrationRepair.isInstalled(flow.channel(ProxiedFlow.Side.CLIENT)),
                    EpollRegistrationRepair.isInstalled(flow.channel(ProxiedFlow.Side.BACKEND))}).get(5, TimeUnit.SECONDS);
            assertThat(repaired).containsExactly(true, true);
            // Nagle stays off both ways (Netty's default, no longer also set as an option).
            assertThat(new boolean[] {
                    flow.channel(ProxiedFlow.Side.CLIENT).config().getOption(ChannelOption.TCP_NODELAY),
                    flow.channel(ProxiedFlow.Side.BACKEND).config().getOption(ChannelOption.TCP_NODELAY)})
                    .containsExactly(true, true);
            done.countDown();
        }
    }

    @Test
    void halfClosedClientThatResetsDoesNotSpinAnEventLoop() throws Exception {
        // The client sends its request and FIN, then resets while the backend is still working. The
        // proxy's socket to it has nothing to read or write: it must sit out of the epoll set, not
        // report EPOLLHUP to a loop that ignores it (which is what keeping a permanent EPOLLERR does).
        CountDownLatch respond = new CountDownLatch(1);
        CountDownLatch requestRead = new CountDownLatch(1);
        CompletableFuture<Throwable> backendSaw = new CompletableFuture<>();
        try (TestServer backend = TestServer.start(socket -> {
                    socket.getInputStream().readAllBytes();
                    requestRead.countDown();
                    respond.await(10, TimeUnit.SECONDS);
                    try {
                        for (int i = 0; i < 100; i++) {
                            socket.getOutputStream().write(new byte[64 * 1024]);
                            Thread.sleep(5);
                        }
                        backendSaw.complete(null);
                    } catch (java.io.IOException e) {
                        backendSaw.complete(e);
                    }
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build())) {
            Socket client = HalfCloseAndResetTest.connect(proxy);
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            // The request and the half-close relayed, not just the backend's accept (which comes before
            // the proxy's loop sees its connect complete; a reset before that never half-closes).
            assertThat(requestRead.await(10, TimeUnit.SECONDS)).as("the request and its FIN reached the backend").isTrue();
            client.setSoLinger(true, 0);
            client.close();

            long cpuNanos = eventLoopCpuNanos();
            Thread.sleep(1_000);
            long spentMillis = (eventLoopCpuNanos() - cpuNanos) / 1_000_000;
            assertThat(spentMillis).as("event-loop CPU in one idle second (a spinning loop burns ~1000 ms)").isLessThan(300);

            respond.countDown();
            assertThat(backendSaw.get(10, TimeUnit.SECONDS)).as("the backend learns of the reset when it answers")
                    .isInstanceOf(java.net.SocketException.class);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CLIENT_RESET) == 1,
                    "the reset, not the half-close before it, counted as the flow's end");
        }
    }

    private static long eventLoopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("fulcrum-io")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }
}
