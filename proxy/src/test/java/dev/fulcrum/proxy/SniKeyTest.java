package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ConnectFailureTest.greeter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code key: sni} on real sockets: JDK TLS clients with server names, through the proxy, to JDK
 * TLS backends with a self-signed certificate made for the test by the JDK's keytool. The handshake
 * goes end to end (the proxy only peeks at the hello), one name always reaches one backend, and what
 * is not TLS falls back to the client address, is relayed untouched and is counted.
 */
class SniKeyTest {

    private static Path keystore;
    private static SSLContext serverContext;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path dir = Files.createTempDirectory("fulcrum-sni");
        keystore = dir.resolve("backend.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "backend", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=backend.test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: " + output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
    }

    @AfterAll
    static void removeCertificate() throws IOException {
        if (keystore != null) {
            Files.deleteIfExists(keystore);
            Files.deleteIfExists(keystore.getParent());
        }
    }

    /** A TLS backend that completes the handshake, then answers its name and the SNI it saw. */
    private static TlsServer tlsBackend(String name) throws IOException {
        SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 64, InetAddress.getLoopbackAddress());
        return new TlsServer(server, name);
    }

    /** Accepts TLS connections on its own thread; answers "{name} sni={requested name}" to each request line. */
    private static final class TlsServer implements AutoCloseable {
        private final SSLServerSocket server;
        private final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread acceptor;

        TlsServer(SSLServerSocket server, String name) {
            this.server = server;
            this.acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (SSLSocket socket = (SSLSocket) server.accept()) {
                        socket.setSoTimeout(10_000);
                        socket.startHandshake();
                        var names = ((javax.net.ssl.ExtendedSSLSession) socket.getSession()).getRequestedServerNames();
                        String sni = names.isEmpty() ? "-" : ((SNIHostName) names.get(0)).getAsciiName();
                        var in = socket.getInputStream();
                        while (in.read() != '\n') {
                            // the request line
                        }
                        socket.getOutputStream().write((name + " sni=" + sni).getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                    } catch (IOException e) {
                        if (!server.isClosed()) {
                            failures.add(e);
                        }
                    }
                }
            }, "tls-backend-" + name);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        List<Throwable> failures() {
            return failures;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            acceptor.join(5_000);
        }
    }

    private static String tlsRequest(FulcrumProxy proxy, String serverName) throws IOException {
        var address = proxy.listenerAddress(TestConfigs.LISTENER);
        // A fresh context per connection: the JDK client would otherwise resume the session of an
        // earlier connection to the same address and send that session's server name again.
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            socket.setSSLParameters(parameters);
            socket.startHandshake(); // through the proxy, end to end
            socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] reply = new byte[256];
            int n = socket.getInputStream().read(reply);
            return new String(reply, 0, Math.max(0, n), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void handshakeCompletesThroughTheProxyAndOneNameAlwaysReachesOneBackend() throws Exception {
        List<TlsServer> backends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            backends.add(tlsBackend("tls" + i));
        }
        TestConfigs builder = TestConfigs.builder().policy("ring-hash").key(FlowKey.SNI);
        backends.forEach(b -> builder.backend(b.port()));
        try (FulcrumProxy proxy = FulcrumProxy.start(builder.build())) {
            Set<String> forOneName = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                String reply = tlsRequest(proxy, "shop.example.com");
                assertThat(reply).endsWith(" sni=shop.example.com");
                forOneName.add(reply);
            }
            assertThat(forOneName).as("one name, one backend").hasSize(1);
            Set<String> backendsSeen = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                String reply = tlsRequest(proxy, "tenant" + i + ".example.com");
                assertThat(reply).endsWith(" sni=tenant" + i + ".example.com");
                backendsSeen.add(reply.substring(0, reply.indexOf(' ')));
            }
            assertThat(scrapedFallbacks(proxy)).as(proxy.registry().scrape()).isZero();
            assertThat(backendsSeen).as("names spread over the backends " + proxy.registry().scrape().lines().filter(l -> l.startsWith("fulcrum_backend_flows_total")).toList()).hasSizeGreaterThan(1);
            for (TlsServer b : backends) {
                assertThat(b.failures()).isEmpty();
            }
            assertThat(scrapedFallbacks(proxy)).isZero();
        } finally {
            for (TlsServer b : backends) {
                b.close();
            }
        }
    }

    @Test
    void plainBytesFallBackToTheClientAddressAreRelayedAndCounted() throws Exception {
        try (TestServer echo = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().policy("maglev").key(FlowKey.SNI)
                        .backend(echo.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(10_000);
            byte[] request = "GET / HTTP/1.1\r\nHost: plain\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            client.getOutputStream().write(request);
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).isEqualTo(request);
            TestWaits.until(() -> scraped(proxy, "not_tls") == 1.0, "not_tls fallback counted");
        }
    }

    @Test
    void aClientSilentPastSniTimeoutFallsBackAndIsServed() throws Exception {
        try (TestServer greeter = greeter("hello");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().key(FlowKey.SNI)
                        .sniTimeout(Duration.ofMillis(200)).backend(greeter.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(10_000);
            byte[] greeting = new byte[5];
            assertThat(client.getInputStream().readNBytes(greeting, 0, 5)).isEqualTo(5);
            assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("hello");
            TestWaits.until(() -> scraped(proxy, "timeout") == 1.0, "timeout fallback counted");
        }
    }

    @Test
    void aTruncatedHelloFallsBackWhenTheClientShutsItsSide() throws Exception {
        byte[] hello = ClientHelloSniTest.clientHello("cut.example");
        try (TestServer echo = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().key(FlowKey.SNI).backend(echo.port()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(10_000);
            byte[] half = java.util.Arrays.copyOf(hello, hello.length / 2);
            client.getOutputStream().write(half);
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).isEqualTo(half);
            TestWaits.until(() -> scraped(proxy, "truncated") == 1.0, "truncated fallback counted");
        }
    }

    private static double scrapedFallbacks(FulcrumProxy proxy) {
        double total = 0;
        for (String reason : new String[] {"not_tls", "malformed", "no_sni", "too_large", "truncated", "timeout"}) {
            total += scraped(proxy, reason);
        }
        return total;
    }

    private static double scraped(FulcrumProxy proxy, String reason) {
        for (String line : proxy.registry().scrape().split("\n")) {
            if (line.startsWith("fulcrum_sni_fallbacks_total{") && line.contains("reason=\"" + reason + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0.0;
    }

    /** Trusts the test's self-signed backend certificate (the test checks routing, not PKI). */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
