package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.testing.Streams;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** FINs and RSTs cross the proxy the way they would cross a wire; nothing hangs. */
class HalfCloseAndResetTest {

    @Test
    void clientThatShutsItsOutputStillReceivesTheResponse() throws Exception {
        // The backend answers only after the request's end of stream, as rsh or a request/response
        // protocol framed by close would.
        try (TestServer backend = TestServer.start(socket -> {
                    Streams.Received request = Streams.readAll(socket.getInputStream());
                    socket.getOutputStream().write(("got " + request.bytes() + " bytes").getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = connect(proxy)) {
            client.getOutputStream().write(new byte[100_000]);
            client.shutdownOutput();
            byte[] reply = client.getInputStream().readAllBytes();
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("got 100000 bytes");
        }
    }

    @Test
    void halfClosedClientGetsAResponseThatResumesAfterAPause() throws Exception {
        // The exact sequence that loses bytes on Netty 4.2.18's epoll transport without
        // EpollRegistrationRepair: the proxy's socket to a half-closed client drains completely
        // (its epoll interest set empties and Netty deletes it from the set), then must wait for
        // the client again; re-arming it used EPOLL_CTL_MOD on a deleted socket and failed.
        long burst = 8L * 1024 * 1024;
        CountDownLatch firstBurstRead = new CountDownLatch(1);
        try (TestServer backend = TestServer.start(socket -> {
                    var out = socket.getOutputStream();
                    Streams.writeRandom(out, 1, burst);
                    firstBurstRead.await(10, TimeUnit.SECONDS);
                    Thread.sleep(100); // the proxy drains everything to the client, then goes idle
                    Streams.writeRandom(out, 2, burst);
                    socket.shutdownOutput();
                    socket.getInputStream().readAllBytes();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2_000);
            client.setSoTimeout(20_000);
            Thread.sleep(200); // the first burst fills every buffer on its way
            client.shutdownOutput();
            var in = client.getInputStream();
            String first = Streams.digest(in.readNBytes((int) burst));
            firstBurstRead.countDown();
            Thread.sleep(400); // not reading while the second burst arrives: the proxy must wait
            Streams.Received second = Streams.readAll(in);
            assertThat(first).isEqualTo(Streams.writeRandom(java.io.OutputStream.nullOutputStream(), 1, burst));
            assertThat(second.bytes()).as("bytes of the second burst").isEqualTo(burst);
            assertThat(second.sha256()).isEqualTo(Streams.writeRandom(java.io.OutputStream.nullOutputStream(), 2, burst));
        }
    }

    @Test
    void backendThatShutsItsOutputStillReceivesTheClientsBytes() throws Exception {
        CompletableFuture<Long> receivedByBackend = new CompletableFuture<>();
        try (TestServer backend = TestServer.start(socket -> {
                    socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput();
                    receivedByBackend.complete(Streams.readAll(socket.getInputStream()).bytes());
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = connect(proxy)) {
            assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
            client.getOutputStream().write(new byte[3_000_000]);
            client.shutdownOutput();
            assertThat(receivedByBackend.get(10, TimeUnit.SECONDS)).isEqualTo(3_000_000L);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BACKEND_CLOSE) == 1,
                    "the flow ended, begun by the backend's FIN");
            assertThat(proxy.openConnections(TestConfigs.LISTENER)).isZero();
        }
    }

    @Test
    void backendClosingMidStreamEndsTheClientsStreamAfterWhatWasSent() throws Exception {
        try (TestServer backend = TestServer.start(socket -> {
                    socket.getOutputStream().write(new byte[1_000_000]);
                    socket.close();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = connect(proxy)) {
            client.setSoTimeout(10_000);
            assertThat(Streams.readAll(client.getInputStream()).bytes()).isEqualTo(1_000_000L);
        }
    }

    @Test
    void backendResetIsPassedToTheClient() throws Exception {
        try (TestServer backend = TestServer.start(socket -> {
                    socket.getOutputStream().write("partial".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    Thread.sleep(200);
                    socket.setSoLinger(true, 0);
                    socket.close();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build());
                Socket client = connect(proxy)) {
            client.setSoTimeout(10_000);
            assertThatThrownBy(() -> readUntilFailure(client))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BACKEND_RESET) == 1, "a backend reset counted");
        }
    }

    @Test
    void clientResetIsPassedToTheBackend() throws Exception {
        CompletableFuture<Throwable> backendSaw = new CompletableFuture<>();
        AtomicInteger backendRead = new AtomicInteger();
        try (TestServer backend = TestServer.start(socket -> {
                    socket.setSoTimeout(10_000);
                    try {
                        backendRead.set(socket.getInputStream().readNBytes(10).length);
                        readUntilFailure(socket);
                        backendSaw.complete(null);
                    } catch (IOException e) {
                        backendSaw.complete(e);
                    }
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build())) {
            Socket client = connect(proxy);
            client.getOutputStream().write("some bytes".getBytes(StandardCharsets.US_ASCII));
            // The backend's accept comes before the proxy's loop sees its connect complete; the bytes
            // arriving show the flow is relaying (a reset before that is covered by the next test).
            TestWaits.until(() -> backendRead.get() == 10, "the client's bytes reached the backend");
            client.setSoLinger(true, 0);
            client.close();
            assertThat(backendSaw.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CLIENT_RESET) == 1, "a client reset counted");
        }
    }

    @Test
    void clientResetBeforeTheBackendConnectCompletesResetsTheBackendToo() throws Exception {
        // A backlog of 1 with two connections queued and never accepted: Linux drops the proxy's SYN,
        // so its connect stays pending (until the SYN is sent again, 1 s later) while the client resets.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket queued = new Socket(full.getInetAddress(), full.getLocalPort());
                Socket queuedToo = new Socket(full.getInetAddress(), full.getLocalPort());
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(full.getLocalPort())
                        .connectTimeout(Duration.ofSeconds(30)).build())) {
            Socket client = connect(proxy);
            TestWaits.until(() -> proxy.clientChannels(TestConfigs.LISTENER).size() == 1, "the proxy took the flow");
            client.setSoLinger(true, 0);
            client.close();
            TestWaits.until(() -> proxy.clientChannels(TestConfigs.LISTENER).isEmpty(), "the proxy saw the client's reset");

            full.setSoTimeout(30_000);
            full.accept().close();
            full.accept().close();
            try (Socket backendSide = full.accept()) { // the proxy's connect, completed by its next SYN
                backendSide.setSoTimeout(10_000);
                assertThatThrownBy(() -> readUntilFailure(backendSide)).as("a reset, not an end of stream")
                        .isInstanceOf(SocketException.class).hasMessageContaining("reset");
            }
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CLIENT_RESET) == 1, "a client reset counted");
        }
    }

    /** Reads until end of stream (returns) or a failure (throws). */
    private static void readUntilFailure(Socket socket) throws IOException {
        Streams.readAll(socket.getInputStream());
    }

    static Socket connect(FulcrumProxy proxy) throws IOException {
        Socket socket = new Socket();
        socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2_000);
        return socket;
    }
}
