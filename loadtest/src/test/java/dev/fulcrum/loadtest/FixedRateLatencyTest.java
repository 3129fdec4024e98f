package dev.fulcrum.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The open-loop generator on a real loopback server: counts, and a stall that must not be hidden. */
class FixedRateLatencyTest {

    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    /** An HTTP/1.1 keep-alive server, a thread per connection, that holds every answer until {@code stallUntilNanos}. */
    private static final class StallingServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicLong stallUntilNanos = new AtomicLong();
        /** If set, the first request starts a stall of this many nanoseconds (a stall placed by the load's own start). */
        final AtomicLong stallFromFirstRequestNanos = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();

        StallingServer() throws IOException {
            socket = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        accepted.incrementAndGet();
                        Thread serve = new Thread(() -> serve(connection));
                        serve.setDaemon(true);
                        serve.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket connection) {
            try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
                int matched = 0;
                for (int b; (b = in.read()) != -1; ) {
                    // A request ends at its blank line (GETs have no body).
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                    if (matched == 4) {
                        matched = 0;
                        long stall = stallFromFirstRequestNanos.getAndSet(0);
                        if (stall > 0) {
                            stallUntilNanos.set(System.nanoTime() + stall);
                        }
                        long wait = stallUntilNanos.get() - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        out.write(RESPONSE);
                        out.flush();
                        answered.incrementAndGet();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // The generator closed its connections: done.
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void recordsOneLatencyPerRequestDueInTheMeasuredWindow() throws Exception {
        try (StallingServer server = new StallingServer()) {
            JsonNode report = new ObjectMapper().readTree(new FixedRateLatency(server.address(), 200, 4, 0.5, 1.5).run());

            assertThat(report.path("recorded").asLong()).isEqualTo(300);
            assertThat(report.path("completed").asLong()).isEqualTo(400); // warm-up requests are sent, not recorded
            assertThat(report.path("errors").asLong()).isZero();
            assertThat(server.answered.get()).isEqualTo(400);
        }
    }

    @Test
    void newConnectionModeOpensOneConnectionPerRequest() throws Exception {
        try (StallingServer server = new StallingServer()) {
            JsonNode report = new ObjectMapper().readTree(new FixedRateLatency(server.address(), 100, 8, 0.5, 1.5, true).run());

            assertThat(report.path("recorded").asLong()).isEqualTo(150);
            assertThat(report.path("completed").asLong()).isEqualTo(200);
            assertThat(report.path("errors").asLong()).isZero();
            assertThat(server.answered.get()).isEqualTo(200);
            assertThat(server.accepted.get()).isEqualTo(200);
        }
    }

    @Test
    void aStallCountsForEveryRequestThatWasDueDuringIt() throws Exception {
        try (StallingServer server = new StallingServer()) {
            // 200 requests/s over 4 connections for 2 s, the server answering nothing for 600 ms in the
            // middle: about 120 requests fall due in the stall. A closed-loop tool would record only the
            // 4 in flight as slow (1% of 400); measured from the intended send time, every one waits.
            FixedRateLatency load = new FixedRateLatency(server.address(), 200, 4, 0, 2);
            Thread stall = new Thread(() -> {
                try {
                    Thread.sleep(700);
                    server.stallUntilNanos.set(System.nanoTime() + 600_000_000L);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            stall.start();
            JsonNode report = new ObjectMapper().readTree(load.run());
            stall.join();

            assertThat(report.path("recorded").asLong()).isEqualTo(400);
            // Well over 10% of the requests waited at least 200 ms.
            assertThat(report.path("p90Micros").asLong()).isGreaterThanOrEqualTo(200_000);
            assertThat(report.path("maxMicros").asLong()).isGreaterThanOrEqualTo(500_000);
        }
    }

    @Test
    void aBacklogFromTheWarmUpIsNotCarriedIntoTheMeasuredPeriod() throws Exception {
        try (StallingServer server = new StallingServer()) {
            // The server answers nothing for 2.5 s from the first request; the warm-up's schedule
            // ends 0.5 s after the first request was due, so the stall outlasts it by 2 s or more
            // however late the load starts. Measured on the warm-up's schedule, every request due
            // from then would wait 2 s; the measured period starts once the warm-up's requests are
            // answered instead.
            FixedRateLatency load = new FixedRateLatency(server.address(), 100, 4, 0.5, 1);
            server.stallFromFirstRequestNanos.set(2_500_000_000L);
            JsonNode report = new ObjectMapper().readTree(load.run());

            assertThat(report.path("recorded").asLong()).isEqualTo(100);
            assertThat(report.path("warmupDrained").asBoolean()).isTrue();
            assertThat(report.path("warmupDrainMillis").asLong()).as(report.toString()).isGreaterThanOrEqualTo(1_500);
            assertThat(report.path("maxMicros").asLong()).as("no measured request waited for the warm-up's stall: " + report).isLessThan(1_000_000);
            assertThat(report.path("maxMicrosBySecond")).hasSize(1);
        }
    }
}
