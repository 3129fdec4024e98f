package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.RuntimeConfig.Transport;
import dev.fulcrum.proxy.testing.Streams;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import io.netty.channel.epoll.Epoll;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Many concurrent flows move tens of MB each way through the proxy; every byte arrives intact. */
class RelayIntegrityTest {

    private static final int FLOWS = 12;
    private static final long BYTES_PER_FLOW = 24L * 1024 * 1024;

    @Test
    void epollIsAvailableOnThisMachine() {
        // The suite runs on Linux x86_64, where the epoll transport must load: otherwise the
        // parameterised test below would silently cover NIO twice.
        assertThat(Epoll.isAvailable()).as("epoll: %s", Epoll.unavailabilityCause()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void concurrentFlowsArriveByteForByteInBothDirections(Transport transport) throws Exception {
        try (TestServer echo = TestServer.echo();
                TestServer echo2 = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().transport(transport)
                        .backend(echo.port()).backend(echo2.port()).build())) {
            assertThat(proxy.transportName()).isEqualTo(transport.configName());
            ExecutorService threads = Executors.newFixedThreadPool(FLOWS * 2);
            try {
                List<Future<String[]>> results = new ArrayList<>();
                for (int flow = 0; flow < FLOWS; flow++) {
                    long seed = 1000 + flow;
                    results.add(threads.submit(() -> oneFlow(proxy, threads, seed)));
                }
                for (Future<String[]> result : results) {
                    String[] sentAndReceived = result.get(90, TimeUnit.SECONDS);
                    assertThat(sentAndReceived[1]).as("digest of the echoed stream").isEqualTo(sentAndReceived[0]);
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(echo.accepted() + echo2.accepted()).isEqualTo(FLOWS);
            assertThat(echo.accepted()).as("round robin uses both backends").isEqualTo(FLOWS / 2);
            assertThat(echo.failures()).isEmpty();
            // A flow is counted as ended once both its sockets are closed.
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CLIENT_CLOSE) == FLOWS, "every flow ended by its client");
            assertThat(proxy.openConnections(TestConfigs.LISTENER)).isZero();
        }
    }

    /** Sends a random stream, half-closes, and reads the echo to its end; returns both digests. */
    private static String[] oneFlow(FulcrumProxy proxy, ExecutorService threads, long seed) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2_000);
            Future<Streams.Received> received = threads.submit(() -> Streams.readAll(socket.getInputStream()));
            String sent = Streams.writeRandom(socket.getOutputStream(), seed, BYTES_PER_FLOW);
            socket.shutdownOutput();
            Streams.Received echoed = received.get(90, TimeUnit.SECONDS);
            assertThat(echoed.bytes()).isEqualTo(BYTES_PER_FLOW);
            return new String[] {sent, echoed.sha256()};
        }
    }
}
