package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.reliability.Resources.Baseline;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that vanish mid-flow, read slowly, trickle byte by byte (slowloris), or open far more
 * connections than the limit: the proxy ends what it should, bounds what it holds, and goes on.
 */
class MisbehavingClientsTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void clientsVanishingMidFlowLeaveNoFlowFdOrBufferBehind() throws Exception {
        try (TestServer streamer = TestServer.start(socket -> {
                    PatternStream.write(socket.getOutputStream(), 9, 0, 1L << 40, 32 * 1024); // until the proxy closes it
                })) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(streamer.port()).build())) {
                for (int i = 0; i < 20; i++) {
                    Socket client = new Socket();
                    client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
                    client.setSoTimeout(20_000);
                    client.getInputStream().readNBytes(1 + i * 37_000); // mid-flow, at a different point each time
                    if (i % 2 == 0) {
                        client.setSoLinger(true, 0); // vanishes with a reset
                    }
                    client.close();
                }
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every vanished client's flow closed");
                Resources.until(() -> Scrape.ended(proxy, EndReason.CLIENT_RESET) + Scrape.ended(proxy, EndReason.CLIENT_CLOSE) == 20,
                        "each ended by its client");
                Resources.until(() -> streamer.accepted() == 20, "twenty backend connections");
                assertThat(Scrape.ended(proxy, EndReason.CLIENT_RESET)).as("a reset is told from a close").isGreaterThanOrEqualTo(1);
            }
            Resources.until(() -> streamer.failures().isEmpty(), "no backend handler failed");
            baseline.awaitReturn(8, 32 * MIB);
        }
    }

    @Test
    void slowReaderGetsEveryByteWhileTheProxyHoldsABoundedAmount() throws Exception {
        // The backend's FIN waits for the client's: once a backend half-closes, Netty reads its socket
        // to the end whatever auto-read says (docs/data-plane.md), which is a different bound.
        try (TestServer streamer = TestServer.start(socket -> {
                    PatternStream.write(socket.getOutputStream(), 5, 0, 4 * MIB, 64 * 1024);
                    socket.getInputStream().readAllBytes();
                    socket.shutdownOutput();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().waterMarks(16 * 1024, 32 * 1024).backend(streamer.port()).build());
                Socket client = new Socket()) {
            client.setReceiveBufferSize(16 * 1024);
            client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
            client.setSoTimeout(30_000);
            var in = client.getInputStream();
            long position = 0;
            long maxBuffered = 0;
            byte[] buffer = new byte[8 * 1024];
            while (position < 4 * MIB) {
                int n = in.read(buffer);
                assertThat(n).as("end of stream before 4 MiB").isPositive();
                for (int i = 0; i < n; i++, position++) {
                    assertThat(buffer[i]).as("byte %d", position).isEqualTo(PatternStream.byteAt(5, position));
                }
                if (position % (256 * 1024) < n) {
                    maxBuffered = Math.max(maxBuffered, proxy.bufferedBytes(TestConfigs.LISTENER));
                    Thread.sleep(20);
                }
            }
            client.shutdownOutput();
            assertThat(in.read()).as("nothing after the 4 MiB").isEqualTo(-1);
            assertThat(maxBuffered).as("bytes the proxy held for the slow reader").isLessThanOrEqualTo(32 * 1024 + 64 * 1024);
        }
    }

    @Test
    void slowlorisIsBoundedByTheIdleTimeoutOnlyWhenItPausesLongerThanIt() throws Exception {
        // Fulcrum is L4: there is no request to time out, so a client trickling a byte at a time
        // keeps its flow (and its bytes arrive intact); the idle timeout ends it once it pauses
        // longer than the timeout, and maxConnections bounds how many such clients there can be.
        try (TestServer echo = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().idleTimeout(Duration.ofMillis(800)).backend(echo.port()).build());
                Socket client = new Socket()) {
            client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
            client.setSoTimeout(20_000);
            byte[] sent = "slow loris, one byte at a time".getBytes(StandardCharsets.US_ASCII);
            for (byte b : sent) {
                client.getOutputStream().write(b);
                Thread.sleep(100);
            }
            assertThat(client.getInputStream().readNBytes(sent.length)).isEqualTo(sent);
            assertThat(proxy.openConnections(TestConfigs.LISTENER)).as("trickling keeps the flow").isEqualTo(1);
            assertThat(Scrape.ended(proxy, EndReason.IDLE_TIMEOUT)).isZero();

            // Now it pauses past the timeout: closed, and counted.
            assertThat(readToEndOrReset(client)).isTrue();
            Resources.until(() -> Scrape.ended(proxy, EndReason.IDLE_TIMEOUT) == 1, "the idle timeout ended it");
        }
    }

    @Test
    void slowlorisSendingAProxyHeaderByteByByteIsCutAtTheHeaderTimeout() throws Exception {
        try (TestServer echo = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V1)
                        .proxyProtocolTimeout(Duration.ofMillis(700)).idleTimeout(Duration.ofMinutes(5)).backend(echo.port()).build());
                Socket client = new Socket()) {
            client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
            client.setSoTimeout(20_000);
            byte[] header = "PROXY TCP4 192.0.2.1 192.0.2.2 40000 443\r\n".getBytes(StandardCharsets.US_ASCII);
            int sentBytes = 0;
            try {
                for (byte b : header) { // 43 bytes at 100 ms: four seconds, far past the timeout
                    client.getOutputStream().write(b);
                    sentBytes++;
                    Thread.sleep(100);
                }
            } catch (SocketException closedByProxy) {
                // expected once the proxy has closed
            }
            assertThat(readToEndOrReset(client)).isTrue();
            assertThat(sentBytes).as("the proxy closed before the header was complete").isLessThan(header.length);
            Resources.until(() -> Scrape.ended(proxy, EndReason.BAD_PROXY_HEADER) == 1, "the slow header counted");
            assertThat(echo.accepted()).as("a half-sent header never reaches a backend").isZero();
        }
    }

    @Test
    void connectionsFarPastTheListenerLimitAreRefusedAndTheAdmittedOnesKeepWorking() throws Exception {
        int limit = 16;
        int attempts = 300;
        try (TestServer echo = TestServer.echo()) {
            Baseline baseline = Baseline.now();
            try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().maxConnections(limit).backend(echo.port()).build())) {
                InetSocketAddress address = proxy.listenerAddress(TestConfigs.LISTENER);
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < attempts; i++) {
                        Socket socket = new Socket();
                        try {
                            socket.connect(address, 5_000);
                        } catch (SocketException resetAtConnect) {
                            socket.close();
                            continue;
                        }
                        sockets.add(socket);
                    }
                    Resources.until(() -> Scrape.ended(proxy, EndReason.LISTENER_FULL) == attempts - limit, "every connection past the limit refused");
                    assertThat(proxy.openConnections(TestConfigs.LISTENER)).isEqualTo(limit);
                    int admitted = 0;
                    for (Socket socket : sockets) {
                        socket.setSoTimeout(10_000);
                        try {
                            socket.getOutputStream().write('x');
                            int answer = socket.getInputStream().read();
                            if (answer == 'x') {
                                admitted++;
                            } else {
                                assertThat(answer).isEqualTo(-1);
                            }
                        } catch (SocketException refused) {
                            assertThat(refused).hasMessageContaining("reset");
                        }
                    }
                    assertThat(admitted).as("the admitted flows still relay").isEqualTo(limit);
                } finally {
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
                Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
                Checked after = new EchoFlows().start(address, 3, 64 * 1024, 8 * 1024, 0).get(30, TimeUnit.SECONDS);
                assertThat(after.complete(64 * 1024)).as("a new flow is admitted once the others left").isTrue();
            }
            baseline.awaitReturn(8, 32 * MIB);
        }
    }

    /** True once the peer closed or reset: false would mean the read timed out (a hang). */
    private static boolean readToEndOrReset(Socket client) throws IOException {
        try {
            client.getInputStream().readAllBytes();
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }
}
