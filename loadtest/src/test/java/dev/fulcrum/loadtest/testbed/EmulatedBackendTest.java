package dev.fulcrum.loadtest.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulated backend on real sockets: slots bound the work in service, the rest queues, the stats endpoint says so. */
class EmulatedBackendTest {

    private final EventLoopGroup group = Transports.group(1);
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (Socket socket : clients) {
            socket.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Socket request(EmulatedBackend backend, String query) throws Exception {
        Socket socket = new Socket("127.0.0.1", backend.address().getPort());
        socket.setSoTimeout(30_000);
        clients.add(socket);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /?" + query + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static String readAll(Socket socket) throws Exception {
        try (InputStream in = socket.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private JsonNode stats(EmulatedBackend backend) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + backend.statsAddress().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    private JsonNode awaitStats(EmulatedBackend backend, int busy, int queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode stats = stats(backend);
        while ((stats.get("busy").asInt() != busy || stats.get("queue").asInt() != queue) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            stats = stats(backend);
        }
        return stats;
    }

    @Test
    void requestsBeyondTheSlotsQueueAndTheStatsEndpointReportsBusyAndQueue() throws Exception {
        EmulatedBackend backend = new EmulatedBackend("b", 2, 1.0, 128, group.next());
        try {
            for (int i = 0; i < 6; i++) {
                request(backend, "work=60000000&bytes=10"); // a minute each: still in service when we look
            }
            JsonNode stats = awaitStats(backend, 2, 4);
            assertThat(stats.get("busy").asInt()).isEqualTo(2);
            assertThat(stats.get("queue").asInt()).isEqualTo(4);
            assertThat(stats.get("slots").asInt()).isEqualTo(2);
            assertThat(stats.get("maxBusy").asInt()).isEqualTo(2);
            assertThat(stats.get("served").asLong()).isZero();
            // Two slots busy all along: the last full window is (close to) fully utilised.
            Thread.sleep(600);
            assertThat(stats(backend).get("utilisation").asDouble()).isGreaterThan(0.9);
        } finally {
            backend.close();
        }
    }

    @Test
    void busyNeverExceedsTheSlotsAndEveryRequestIsServedWithItsReplySize() throws Exception {
        EmulatedBackend backend = new EmulatedBackend("b", 2, 4.0, 128, group.next());
        try {
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sockets.add(request(backend, "work=200000&bytes=1234")); // 50 ms at speed 4
            }
            for (Socket socket : sockets) {
                String reply = readAll(socket);
                assertThat(reply).startsWith("HTTP/1.1 200").contains("content-length: 1234");
                assertThat(reply.length() - reply.indexOf("\r\n\r\n") - 4).isEqualTo(1234);
            }
            BackendStats stats = backend.stats();
            assertThat(stats.served()).isEqualTo(10);
            assertThat(stats.maxBusy()).isEqualTo(2);
            assertThat(stats.maxQueue()).isPositive().isLessThanOrEqualTo(8);
            assertThat(awaitStats(backend, 0, 0).get("busy").asInt()).isZero();
        } finally {
            backend.close();
        }
    }

    @Test
    void aFullBacklogIsAnswered503AndABadQuerySaysWhatWasExpected() throws Exception {
        EmulatedBackend backend = new EmulatedBackend("b", 1, 1.0, 1, group.next());
        try {
            request(backend, "work=60000000&bytes=1");
            request(backend, "work=60000000&bytes=1");
            awaitStats(backend, 1, 1);
            assertThat(readAll(request(backend, "work=1&bytes=1"))).startsWith("HTTP/1.1 503");
            assertThat(backend.stats().rejected()).isEqualTo(1);
            assertThat(readAll(request(backend, "work=abc"))).startsWith("HTTP/1.1 400").contains("expected: work=MICROS >= 0");
        } finally {
            backend.close();
        }
    }
}
