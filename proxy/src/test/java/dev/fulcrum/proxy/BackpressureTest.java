package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.Streams;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import dev.fulcrum.proxy.testing.TestThreads;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A peer that does not read makes the proxy stop reading the other side: the bytes the proxy holds
 * for the flow stay under the high water mark plus one read, however much the sender has to send.
 */
class BackpressureTest {

    private static final int LOW = 16 * 1024;
    private static final int HIGH = 32 * 1024;
    /** Netty's adaptive receive allocator reads at most 64 KiB at a time. */
    private static final int ONE_READ = 64 * 1024;
    private static final long TOTAL = 48L * 1024 * 1024;

    @Test
    void clientThatNeverReadsBoundsWhatTheProxyBuffers() throws Exception {
        AtomicLong written = new AtomicLong();
        CompletableFuture<String> sentDigest = new CompletableFuture<>();
        try (TestServer backend = TestServer.start(socket -> {
                    var counting = new java.io.FilterOutputStream(socket.getOutputStream()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws java.io.IOException {
                            out.write(b, off, len);
                            written.addAndGet(len);
                        }
                    };
                    sentDigest.complete(Streams.writeRandom(counting, 7, TOTAL));
                    socket.shutdownOutput();
                    socket.getInputStream().readAllBytes();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().waterMarks(LOW, HIGH).backend(backend.port()).build());
                Socket client = new Socket()) {
            client.setReceiveBufferSize(16 * 1024);
            client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2_000);
            awaitStall(written);
            assertThat(written.get()).as("the backend is held back, not absorbed by the proxy").isLessThan(TOTAL);
            long buffered = proxy.bufferedBytes(TestConfigs.LISTENER);
            assertThat(buffered).as("bytes the proxy holds for a client that does not read")
                    .isLessThanOrEqualTo(HIGH + ONE_READ);

            client.shutdownOutput();
            Streams.Received received = Streams.readAll(client.getInputStream());
            assertThat(received.bytes()).isEqualTo(TOTAL);
            assertThat(received.sha256()).isEqualTo(sentDigest.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void backendThatNeverReadsBoundsWhatTheProxyBuffers() throws Exception {
        AtomicLong written = new AtomicLong();
        CompletableFuture<Streams.Received> atBackend = new CompletableFuture<>();
        CompletableFuture<Void> startReading = new CompletableFuture<>();
        try (TestServer backend = TestServer.start(socket -> {
                    // No smaller receive buffer here: shrinking it after accept shrinks an advertised window
                    // below loopback's MSS, and the kernel's sender then stalls in persist-timer probes.
                    startReading.get(30, TimeUnit.SECONDS);
                    atBackend.complete(Streams.readAll(socket.getInputStream()));
                    socket.shutdownOutput();
                });
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().waterMarks(LOW, HIGH).backend(backend.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy);
                TestThreads threads = new TestThreads()) {
            CompletableFuture<String> sent = threads.supply(() -> {
                try {
                    var counting = new java.io.FilterOutputStream(client.getOutputStream()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws java.io.IOException {
                            out.write(b, off, len);
                            written.addAndGet(len);
                        }
                    };
                    String digest = Streams.writeRandom(counting, 11, TOTAL);
                    client.shutdownOutput();
                    return digest;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            awaitStall(written);
            assertThat(written.get()).isLessThan(TOTAL);
            assertThat(proxy.bufferedBytes(TestConfigs.LISTENER)).isLessThanOrEqualTo(HIGH + ONE_READ);

            startReading.complete(null);
            Streams.Received received;
            try {
                received = atBackend.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the backend never got everything; client wrote " + written.get()
                        + ", flows: " + proxy.describeFlows(TestConfigs.LISTENER), e);
            }
            assertThat(received.bytes()).isEqualTo(TOTAL);
            assertThat(received.sha256()).isEqualTo(sent.get(10, TimeUnit.SECONDS));
        }
    }

    /** Waits until the sender has made no progress for half a second (all buffers on the way are full). */
    private static void awaitStall(AtomicLong written) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long last = -1;
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(500);
            long now = written.get();
            if (now == last && now > 0) {
                return;
            }
            last = now;
        }
        throw new AssertionError("the sender never stalled: " + written.get() + " bytes written");
    }
}
