package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.Blackhole;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A backend that refuses or never answers costs its flows a retry elsewhere, not a failure. */
class ConnectFailureTest {

    @Test
    void refusedConnectIsRetriedOnAnotherBackend() throws Exception {
        int closedPort = closedPort();
        try (TestServer live = greeter("live");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        .backend(closedPort).backend(live.port()).build())) {
            for (int i = 0; i < 6; i++) {
                assertThat(greeting(proxy)).isEqualTo("live");
            }
            assertThat(live.accepted()).isEqualTo(6);
            assertThat(counter(proxy, "fulcrum_backend_connect_failures_total", "b0")).isGreaterThanOrEqualTo(3.0);
        }
    }

    @Test
    void backendThatNeverAnswersTheSynTimesOutAndTheFlowMovesOn() throws Exception {
        try (Blackhole blackhole = new Blackhole();
                TestServer live = greeter("live");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        .connectTimeout(Duration.ofMillis(300))
                        .backend(blackhole.port()).backend(live.port()).build())) {
            long start = System.nanoTime();
            assertThat(greeting(proxy)).isEqualTo("live");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMillis).as("the first pick (the blackhole) waited for its connect timeout").isGreaterThanOrEqualTo(250);
            assertThat(counter(proxy, "fulcrum_backend_connect_failures_total", "b0")).isEqualTo(1.0);
        }
    }

    @Test
    void clientIsClosedWhenEveryAttemptFails() throws Exception {
        try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().connectAttempts(2)
                .backend(closedPort()).backend(closedPort()).backend(closedPort()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(5_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CONNECT_FAILED) == 1, "a failed flow counted");
            double failures = 0;
            for (String b : new String[] {"b0", "b1", "b2"}) {
                failures += counter(proxy, "fulcrum_backend_connect_failures_total", b);
            }
            assertThat(failures).as("connectAttempts: 2 means two backends tried").isEqualTo(2.0);
        }
    }

    @Test
    void halfClosedClientWhoseConnectsAllFailCountsAsConnectFailed() throws Exception {
        try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().connectAttempts(2)
                .backend(closedPort()).backend(closedPort()).build());
                Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            client.setSoTimeout(5_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CONNECT_FAILED) == 1,
                    "connect_failed, not the client's half-close, counted");
            assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CLIENT_CLOSE)).isZero();
        }
    }

    static TestServer greeter(String name) throws IOException {
        return TestServer.start(socket -> {
            socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            socket.getInputStream().readAllBytes();
        });
    }

    static String greeting(FulcrumProxy proxy) throws IOException {
        try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(5_000);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** A loopback port with nothing listening: connects to it are refused at once. */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** The value of a counter in the Prometheus scrape, for one backend. */
    static double counter(FulcrumProxy proxy, String name, String backend) {
        for (String line : proxy.registry().scrape().split("\n")) {
            if (line.startsWith(name + "{") && line.contains("backend=\"" + backend + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0.0;
    }
}
