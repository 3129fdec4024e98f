package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.testing.Streams;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * PROXY protocol on real loopback sockets: the header is read before any backend is picked, the
 * bytes after it reach the backend exactly, the key is the client it names, and a wrong or late
 * header costs only its own connection.
 */
class ProxyProtocolTest {

    private static final int PAYLOAD = 4 * 1024 * 1024;

    @Test
    void v1HeaderIsReadAndThePayloadAfterItArrivesByteExact() throws Exception {
        try (TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V1)
                        .backend(backend.port()).build())) {
            byte[] payload = randomBytes(1, PAYLOAD);
            // The header and the first payload bytes in one write: they arrive in one read.
            assertThat(sendAndDigest(proxy, v1("203.0.113.7", 4242), payload, 0)).isEqualTo(digestReply(payload));
            assertThat(backend.failures()).isEmpty();
        }
    }

    @Test
    void v2HeaderSentInPiecesIsReadAndThePayloadAfterItArrivesByteExact() throws Exception {
        try (TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V2)
                        .backend(backend.port()).build())) {
            byte[] payload = randomBytes(2, PAYLOAD);
            // The first 10 bytes alone, then the rest of the header with the payload: the proxy
            // must keep reading until the header is complete.
            assertThat(sendAndDigest(proxy, v2Proxy("2001:db8::7", 4242), payload, 10)).isEqualTo(digestReply(payload));
            assertThat(sendAndDigest(proxy, v2Proxy("203.0.113.7", 4242), payload, 0)).isEqualTo(digestReply(payload));
            assertThat(sendAndDigest(proxy, v2Local(), payload, 0)).as("a LOCAL command").isEqualTo(digestReply(payload));
        }
    }

    @Test
    void anyAcceptsBothVersions() throws Exception {
        try (TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.ANY)
                        .backend(backend.port()).build())) {
            byte[] payload = randomBytes(3, 100_000);
            assertThat(sendAndDigest(proxy, v1("203.0.113.7", 1), payload, 0)).isEqualTo(digestReply(payload));
            assertThat(sendAndDigest(proxy, v2Proxy("203.0.113.7", 1), payload, 0)).isEqualTo(digestReply(payload));
            assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER)).isZero();
        }
    }

    @Test
    void flowsAreKeyedOnTheHeadersSourceNotOnTheConnection() throws Exception {
        // Every connection comes from 127.0.0.1: only the header's source can spread them.
        List<TestServer> backends = List.of(greeter("b0"), greeter("b1"), greeter("b2"), greeter("b3"));
        TestConfigs builder = TestConfigs.builder().policy("maglev").key(FlowKey.CLIENT_ADDRESS)
                .proxyProtocol(ProxyProtocol.V1);
        backends.forEach(b -> builder.backend(b.port()));
        try (FulcrumProxy proxy = FulcrumProxy.start(builder.build())) {
            Set<String> sameSource = new HashSet<>();
            for (int port = 1000; port < 1008; port++) {
                sameSource.add(greeting(proxy, v1("198.51.100.7", port)));
            }
            assertThat(sameSource).as("one source, any port: one backend").hasSize(1);
            Set<String> manySources = new HashSet<>();
            for (int host = 1; host <= 32; host++) {
                manySources.add(greeting(proxy, v1("198.51.100." + host, 1000)));
            }
            assertThat(manySources).as("32 sources spread over the backends").hasSizeGreaterThan(1);
        } finally {
            for (TestServer backend : backends) {
                backend.close();
            }
        }
    }

    @Test
    void malformedHeaderIsClosedAndCountedAndAConcurrentGoodFlowIsUnaffected() throws Exception {
        try (WarningsCapture warnings = new WarningsCapture();
                TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V1)
                        .backend(backend.port()).build());
                Socket good = HalfCloseAndResetTest.connect(proxy)) {
            byte[] payload = randomBytes(4, PAYLOAD);
            OutputStream out = good.getOutputStream();
            out.write(concat(v1("203.0.113.7", 4242), slice(payload, 0, PAYLOAD / 2)));

            try (Socket bad = HalfCloseAndResetTest.connect(proxy)) {
                bad.getOutputStream().write("PROXY TCP4 not-an-address 10.0.0.1 1 2\r\nhello".getBytes(StandardCharsets.US_ASCII));
                assertClosedByProxy(bad);
            }
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER) == 1, "bad header counted");
            warnings.awaitContaining("listener test: bad PROXY protocol header from 127.0.0.1: invalid HAProxy message");
            warnings.awaitContaining("not-an-address");

            out.write(slice(payload, PAYLOAD / 2, PAYLOAD));
            good.shutdownOutput();
            good.setSoTimeout(20_000);
            assertThat(new String(good.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(digestReply(payload));
            assertThat(backend.accepted()).as("the bad flow never reached a backend").isEqualTo(1);
        }
    }

    @Test
    void headersLongerThanAllowedAreClosedAndCounted() throws Exception {
        try (WarningsCapture warnings = new WarningsCapture();
                TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.ANY)
                        .backend(backend.port()).build())) {
            byte[] longLine = ("PROXY TCP4 " + "1".repeat(200)).getBytes(StandardCharsets.US_ASCII);
            sendAndExpectRejection(proxy, longLine);
            warnings.awaitContaining("exceeds the allowed maximum (108)");
            // A v2 header announcing 4000 bytes of addresses and TLVs, more than 16 + 216 + 2048.
            byte[] longV2 = v2Header(0x21, 0x11, new byte[4000]);
            sendAndExpectRejection(proxy, longV2);
            warnings.awaitContaining("exceeds the allowed maximum (" + (16 + 216 + ProxyHeaderReader.MAX_TLV_BYTES) + ")");
            assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER)).isEqualTo(2);
            assertThat(backend.accepted()).isZero();
        }
    }

    @Test
    void aHeaderOfAVersionTheListenerDoesNotAcceptIsClosedAndCounted() throws Exception {
        try (WarningsCapture warnings = new WarningsCapture();
                TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V2)
                        .backend(backend.port()).build())) {
            sendAndExpectRejection(proxy, v1("203.0.113.7", 4242));
            warnings.awaitContaining("listener test: bad PROXY protocol header from 127.0.0.1: a v1 header"
                    + " (expected: v2, as the listener's proxyProtocol says)");
            assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER)).isEqualTo(1);
            assertThat(backend.accepted()).isZero();
        }
    }

    @Test
    void noHeaderWithinTheTimeoutIsClosedAndCounted() throws Exception {
        try (WarningsCapture warnings = new WarningsCapture();
                TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.ANY)
                        .proxyProtocolTimeout(Duration.ofMillis(300)).backend(backend.port()).build());
                Socket slow = HalfCloseAndResetTest.connect(proxy)) {
            long start = System.nanoTime();
            slow.getOutputStream().write("PROXY TCP4 ".getBytes(StandardCharsets.US_ASCII));
            assertClosedByProxy(slow);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER) == 1, "late header counted");
            warnings.awaitContaining("listener test: bad PROXY protocol header from 127.0.0.1: no complete header within 300ms");
            assertThat(proxy.openConnections(TestConfigs.LISTENER)).isZero();
            assertThat(backend.accepted()).isZero();
        }
    }

    @Test
    void aClientThatShutsItsSideBeforeTheHeaderEndsIsCounted() throws Exception {
        try (TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V1)
                        .backend(backend.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.getOutputStream().write("PROXY TCP4 203.0.113.7".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertClosedByProxy(client);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER) == 1, "cut header counted");
            assertThat(backend.accepted()).isZero();
        }
    }

    @Test
    void withProxyProtocolOffAProxyLookingPayloadPassesThroughUntouched() throws Exception {
        try (TestServer backend = digester();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port()).build())) {
            byte[] payload = concat(v1("203.0.113.7", 4242), v2Proxy("203.0.113.7", 4242), randomBytes(5, 10_000));
            assertThat(sendAndDigest(proxy, new byte[0], payload, 0)).isEqualTo(digestReply(payload));
            assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BAD_PROXY_HEADER)).isZero();
        }
    }

    // ---- headers, built by hand from HAProxy's proxy-protocol.txt ----

    static byte[] v1(String source, int sourcePort) {
        String family = source.contains(":") ? "TCP6" : "TCP4";
        String destination = source.contains(":") ? "2001:db8::1" : "10.0.0.1";
        return ("PROXY " + family + " " + source + " " + destination + " " + sourcePort + " 443\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 PROXY command over TCP, IPv4 or IPv6 by the source's form. */
    static byte[] v2Proxy(String source, int sourcePort) throws IOException {
        byte[] src = InetAddress.getByName(source).getAddress();
        byte[] dst = new byte[src.length];
        dst[0] = 10;
        ByteBuffer addresses = ByteBuffer.allocate(2 * src.length + 4);
        addresses.put(src).put(dst).putShort((short) sourcePort).putShort((short) 443);
        // Byte 13: version 2, command PROXY. Byte 14: AF_INET (1) or AF_INET6 (2), STREAM (1).
        return v2Header(0x21, src.length == 4 ? 0x11 : 0x21, addresses.array());
    }

    /** A v2 LOCAL command (a health check of the load balancer in front): no address. */
    static byte[] v2Local() {
        return v2Header(0x20, 0x00, new byte[0]);
    }

    static byte[] v2Header(int versionCommand, int familyProtocol, byte[] rest) {
        byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        return ByteBuffer.allocate(16 + rest.length).put(signature).put((byte) versionCommand)
                .put((byte) familyProtocol).putShort((short) rest.length).put(rest).array();
    }

    // ---- clients and backends ----

    /** Reads the whole request and answers with its length and SHA-256. */
    static TestServer digester() throws IOException {
        return TestServer.start(socket -> {
            Streams.Received received = Streams.readAll(socket.getInputStream());
            socket.getOutputStream().write(digestReply(received.bytes(), received.sha256()).getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
        });
    }

    static String digestReply(byte[] payload) {
        return digestReply(payload.length, Streams.digest(payload));
    }

    private static String digestReply(long bytes, String sha256) {
        return bytes + " " + sha256;
    }

    /** Sends {@code header} and {@code payload}, the first {@code split} bytes of the header alone. */
    static String sendAndDigest(FulcrumProxy proxy, byte[] header, byte[] payload, int split) throws Exception {
        try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(20_000);
            client.setTcpNoDelay(true);
            OutputStream out = client.getOutputStream();
            if (split > 0) {
                out.write(header, 0, split);
                out.flush();
                Thread.sleep(50);
            }
            out.write(concat(slice(header, split, header.length), payload));
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static TestServer greeter(String name) {
        try {
            return ConnectFailureTest.greeter(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String greeting(FulcrumProxy proxy, byte[] header) throws IOException {
        try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write(header);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static void sendAndExpectRejection(FulcrumProxy proxy, byte[] bytes) throws IOException {
        try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
            try {
                client.getOutputStream().write(bytes);
            } catch (SocketException alreadyReset) {
                return;
            }
            assertClosedByProxy(client);
        }
    }

    /** The proxy closed the connection: end of stream, or a reset. */
    static void assertClosedByProxy(Socket client) throws IOException {
        client.setSoTimeout(5_000);
        try {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException reset) {
            assertThat(reset.getMessage()).contains("reset");
        }
    }

    static byte[] randomBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }

    static byte[] concat(byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part);
        }
        return out.toByteArray();
    }

    /** The data-plane warnings the control thread logs, captured from its logger. */
    static final class WarningsCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger("dev.fulcrum.dataplane");
        private final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();

        WarningsCapture() {
            start();
            logger.addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            messages.add(event.getFormattedMessage());
        }

        void awaitContaining(String text) throws InterruptedException {
            TestWaits.until(() -> messages.stream().anyMatch(m -> m.contains(text)),
                    "a warning containing \"" + text + "\" (got " + messages + ")");
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            stop();
        }
    }
}
