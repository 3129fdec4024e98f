package dev.fulcrum.proxy.qnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Children that answer, lie, hang or are gone, on real loopback sockets: each costs its own feedback only. */
class FeedbackPollerTest {

    /** A one-thread HTTP/1.1 responder: each connection gets {@code body} (or nothing, when null: it hangs). */
    static final class FakeChild implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final AtomicInteger requests = new AtomicInteger();
        final Thread thread;

        FakeChild(String body) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        readHead(socket.getInputStream());
                        requests.incrementAndGet();
                        if (body != null) {
                            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                            OutputStream out = socket.getOutputStream();
                            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.write(bytes);
                            out.flush();
                            socket.close();
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fake-child");
            thread.setDaemon(true);
            thread.start();
        }

        private static void readHead(InputStream in) throws IOException {
            int state = 0;
            for (int c; (c = in.read()) >= 0;) {
                state = (c == '\r' || c == '\n') ? state + 1 : 0;
                if (state == 4) {
                    return;
                }
            }
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/api/feedback");
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void reportsAreParsedStrictly() {
        ChildReport ok = ChildReport.parse("{\"activeFlows\": 12, \"reward\": 0.75, \"extra\": []}".getBytes(), 5);
        assertThat(ok).isEqualTo(new ChildReport(12, 0.75, 5));
        assertThat(ChildReport.parse("{\"activeFlows\": 0, \"reward\": null}".getBytes(), 0).reward()).isNull();
        assertThatThrownBy(() -> ChildReport.parse("{\"activeFlows\": -1}".getBytes(), 0))
                .hasMessage("activeFlows: -1 (expected: an integer from 0 to 2147483648)");
        assertThatThrownBy(() -> ChildReport.parse("{\"activeFlows\": 1.5}".getBytes(), 0))
                .hasMessage("activeFlows: 1.5 (expected: an integer from 0 to 2147483648)");
        assertThatThrownBy(() -> ChildReport.parse("{\"reward\": 0.5}".getBytes(), 0))
                .hasMessage("activeFlows: absent (expected: an integer from 0 to 2147483648)");
        assertThatThrownBy(() -> ChildReport.parse("{\"activeFlows\": 3, \"reward\": 7}".getBytes(), 0))
                .hasMessage("reward: 7 (expected: a number from 0 to 1, or null)");
        assertThatThrownBy(() -> ChildReport.parse("[1, 2]".getBytes(), 0)).hasMessage("body: [1,2] (expected: a JSON object)");
        assertThatThrownBy(() -> ChildReport.parse("<html>".getBytes(), 0)).hasMessageStartingWith("body: not JSON (");
    }

    @Test
    void aChildThatAnswersLiesHangsOrIsGoneCostsOnlyItsOwnFeedback() throws Exception {
        Map<String, AtomicInteger> results = new ConcurrentHashMap<>();
        String huge = "{\"activeFlows\": 1, \"pad\": \"" + "x".repeat(FeedbackPoller.MAX_BODY) + "\"}";
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        URI dead = URI.create("http://127.0.0.1:" + closedPort + "/api/feedback");
        try (FakeChild honest = new FakeChild("{\"activeFlows\": 42, \"reward\": 0.5}");
                FakeChild liar = new FakeChild("{\"activeFlows\": -3, \"reward\": 0.5}");
                FakeChild bloated = new FakeChild(huge);
                FakeChild hanging = new FakeChild(null);
                FeedbackPoller poller = new FeedbackPoller(System::nanoTime,
                        (url, result) -> results.computeIfAbsent(url.getPort() + " " + result, k -> new AtomicInteger()).incrementAndGet())) {
            List<URI> urls = List.of(honest.url(), liar.url(), bloated.url(), hanging.url(), dead);
            Duration timeout = Duration.ofMillis(300);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (results.size() < 5 && System.nanoTime() < deadline) {
                poller.poll(urls, timeout); // returns at once whatever the children do
                Thread.sleep(50);
            }
            Duration stale = Duration.ofSeconds(30);
            assertThat(poller.fresh(honest.url(), stale)).isNotNull();
            assertThat(poller.fresh(honest.url(), stale).activeFlows()).isEqualTo(42);
            assertThat(poller.fresh(liar.url(), stale)).isNull();
            assertThat(poller.latest(liar.url()).error()).isEqualTo("activeFlows: -3 (expected: an integer from 0 to 2147483648)");
            assertThat(poller.fresh(bloated.url(), stale)).isNull();
            assertThat(poller.latest(bloated.url()).error()).isEqualTo("body: more than 65536 bytes (expected: a small JSON object)");
            assertThat(poller.fresh(hanging.url(), stale)).isNull();
            assertThat(poller.latest(hanging.url()).error()).isEqualTo("no answer within 300 ms");
            assertThat(poller.fresh(dead, stale)).isNull();
            assertThat(poller.latest(dead).error()).contains("ConnectException");
            assertThat(results).containsKeys(honest.server.getLocalPort() + " ok", liar.server.getLocalPort() + " invalid",
                    bloated.server.getLocalPort() + " invalid", hanging.server.getLocalPort() + " timeout", closedPort + " error");
            // One request at a time to the hanging child, however many ticks passed.
            assertThat(hanging.requests.get()).isEqualTo(1);
            assertThat(honest.requests.get()).isGreaterThan(1);
        }
    }

    @Test
    void aReportOlderThanTheStaleLimitCountsAsNone() throws Exception {
        long[] now = {0};
        try (FakeChild honest = new FakeChild("{\"activeFlows\": 4, \"reward\": 1}");
                FeedbackPoller poller = new FeedbackPoller(() -> now[0], (url, result) -> { })) {
            poller.poll(List.of(honest.url()), Duration.ofSeconds(5));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (poller.latest(honest.url()) == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(poller.fresh(honest.url(), Duration.ofMillis(750))).isNotNull();
            now[0] += Duration.ofMillis(751).toNanos();
            assertThat(poller.fresh(honest.url(), Duration.ofMillis(750))).isNull();
        }
    }

    @Test
    void feedbackOfAPoolWithoutQNetworkIsServedToo() {
        TierFeedback feedback = new TierFeedback(new SimpleMeterRegistry(), Duration.ofMillis(250));
        try {
            dev.fulcrum.balancing.BackendSet set = dev.fulcrum.balancing.BackendSet.of(List.of(
                    new dev.fulcrum.balancing.Backend("x", "127.0.0.1", 1, 1, 0)));
            set.get(0).tryAcquire();
            feedback.tick(Map.of("web", dev.fulcrum.balancing.Policies.create(set,
                    dev.fulcrum.balancing.PolicyConfig.of("round-robin"), null)), List.of());
            assertThat(feedback.feedback("web")).containsEntry("activeFlows", 1).containsEntry("pool", "web").containsEntry("reward", null);
            assertThat(feedback.feedback(null)).containsEntry("activeFlows", 1L);
            assertThat(feedback.feedback("nope")).isNull();
        } finally {
            feedback.close();
        }
    }
}
