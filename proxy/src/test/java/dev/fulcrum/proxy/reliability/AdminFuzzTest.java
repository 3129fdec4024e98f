package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.AdminToken;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated HTTP requests over real sockets to the admin port (fixed seed): each gets a
 * response or a close, never a 500 and never silence once the client has finished sending; between
 * batches the admin still answers /healthz and the data plane still relays.
 */
class AdminFuzzTest {

    static final int REQUESTS = 600;
    private static final int BATCH = 30;
    private static final String TOKEN = "fuzz-token";
    private static final String[] TEMPLATES = {
            "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
            "HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /api/status HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /api/backends HTTP/1.1\r\nHost: a\r\nAccept: application/json\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /api/stream HTTP/1.1\r\nHost: a\r\n\r\n",
            "POST /api/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "POST /api/reload HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n",
            "POST /api/pools/test/backends/b0/drain HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "POST /api/pools/test/backends/b0/undrain HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer wrong\r\n\r\n",
            "POST /api/reload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "GET /healthz HTTP/1.0\r\n\r\n",
    };
    private static final String[] INSERTS = {"%00", "%2e%2e/", "/../../etc/passwd", "\u00e9", " ", "\r\n", "\n", "\0", "?x=" + "a".repeat(9000),
            "Content-Length: -1\r\n", "Content-Length: 99999999999\r\n", "Content-Length: abc\r\n", "Transfer-Encoding: chunked\r\n",
            "Host: a\r\nHost: b\r\n", "Expect: 100-continue\r\n", "Connection: close\r\n", "X: " + "b".repeat(20_000) + "\r\n",
            ":", "HTTP/2.0", "HTTP/0.9", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "DELETE", "OPTIONS", "CONNECT a:1", "get", "G\tET"};

    private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();

    @Test
    void randomAndMutatedAdminRequestsEachGetAResponseOrACloseAndEverythingKeepsServing() throws Exception {
        FulcrumConfig base = null;
        try (TestServer echo = TestServer.echo(); EchoFlows clients = new EchoFlows()) {
            base = TestConfigs.builder().admin().backend(echo.port()).build();
            FulcrumConfig config = new FulcrumConfig(base.source(), base.runtime(), base.admin().withToken(null, AdminToken.of(TOKEN)),
                    base.listeners(), base.pools(), base.telemetry());
            try (FulcrumProxy proxy = FulcrumProxy.start(config)) {
                InetSocketAddress admin = proxy.adminAddress();
                SplittableRandom random = new SplittableRandom(1122);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                for (int sent = 0; sent < REQUESTS; sent += BATCH) {
                    List<CompletableFuture<Void>> batch = new ArrayList<>();
                    for (int i = 0; i < BATCH; i++) {
                        byte[] request = request(random.split());
                        int index = sent + i;
                        batch.add(CompletableFuture.runAsync(() -> send(admin, request, index), r -> new Thread(r, "admin-fuzz").start()));
                    }
                    for (CompletableFuture<Void> request : batch) {
                        request.get(60, TimeUnit.SECONDS);
                    }
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/healthz"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(health.statusCode()).as("the admin still serves after %d requests", sent + BATCH).isEqualTo(200);
                    Checked relayed = clients.start(proxy.listenerAddress(TestConfigs.LISTENER), sent, 64 * 1024, 8 * 1024, 0)
                            .get(30, TimeUnit.SECONDS);
                    assertThat(relayed.complete(64 * 1024)).as("the data plane still relays: " + relayed).isTrue();
                }
                assertThat(proxy.backend(TestConfigs.POOL, "b0").isDraining()).as("no unauthenticated drain got through").isFalse();
            }
        }
        System.out.println("admin fuzz: " + REQUESTS + " requests, outcomes " + new TreeMap<>(outcomes));
        assertThat(outcomes.keySet()).as("the fuzz reached more than one kind of answer").hasSizeGreaterThan(3);
        assertThat(outcomes.keySet()).noneMatch(k -> k.startsWith("500"));
    }

    private static byte[] request(SplittableRandom random) {
        int kind = random.nextInt(10);
        if (kind == 0) { // noise
            byte[] noise = new byte[random.nextInt(1, 3000)];
            random.nextBytes(noise);
            return noise;
        }
        StringBuilder text = new StringBuilder(TEMPLATES[random.nextInt(TEMPLATES.length)]);
        for (int m = random.nextInt(1, 4); m > 0; m--) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, INSERTS[random.nextInt(INSERTS.length)]);
                case 1 -> text.delete(at, Math.min(text.length(), at + random.nextInt(1, 8)));
                case 2 -> {
                    if (at < text.length()) {
                        text.setCharAt(at, (char) random.nextInt(0, 256));
                    }
                }
                default -> text.setLength(at); // truncated
            }
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends one request and waits a second for the first bytes of an answer; if none came (the
     * request may be incomplete), shuts the output, after which the admin must answer or close.
     */
    private void send(InetSocketAddress admin, byte[] request, int index) {
        try (Socket socket = new Socket()) {
            socket.connect(admin, 5_000);
            try {
                socket.getOutputStream().write(request);
            } catch (SocketException closedWhileSending) {
                count("closed while sending");
                return;
            }
            socket.setSoTimeout(1_000);
            String outcome;
            try {
                outcome = firstLine(socket);
            } catch (SocketTimeoutException incomplete) {
                socket.shutdownOutput();
                socket.setSoTimeout(10_000);
                try {
                    outcome = "after EOF: " + firstLine(socket);
                } catch (SocketTimeoutException silent) {
                    throw new AssertionError("request " + index + " got neither a response nor a close: "
                            + new String(request, StandardCharsets.ISO_8859_1));
                }
            }
            count(outcome);
        } catch (SocketException reset) {
            count("reset");
        } catch (IOException e) {
            throw new AssertionError("request " + index + ": " + e, e);
        }
    }

    /** "NNN" of the status line, or "close" when the admin closed without a response. */
    private static String firstLine(Socket socket) throws IOException {
        byte[] head = socket.getInputStream().readNBytes(12);
        if (head.length == 0) {
            return "close";
        }
        String line = new String(head, StandardCharsets.ISO_8859_1);
        if (!line.startsWith("HTTP/1.")) {
            throw new AssertionError("not an HTTP response: " + line);
        }
        return line.substring(9, 12);
    }

    private void count(String outcome) {
        outcomes.merge(outcome.startsWith("after EOF: ") ? outcome.substring(11) : outcome, 1, Integer::sum);
    }
}
