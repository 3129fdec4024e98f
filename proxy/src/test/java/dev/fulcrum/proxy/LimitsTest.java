package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Connections over a limit are closed at once and counted, never queued. */
class LimitsTest {

    @Test
    void connectionOverTheListenerLimitIsClosedAtOnceAndCounted() throws Exception {
        try (TestServer backend = ConnectFailureTest.greeter("ok");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().maxConnections(2).backend(backend.port()).build());
                Socket first = HalfCloseAndResetTest.connect(proxy);
                Socket second = HalfCloseAndResetTest.connect(proxy)) {
            TestWaits.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 2, "two flows open");
            assertRefusedAtOnce(proxy);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.LISTENER_FULL) == 1, "the refusal counted");
            // The listener counts a flow before its backend connect completes.
            TestWaits.until(() -> backend.accepted() == 2, "the two admitted flows reached the backend");
            Thread.sleep(100);
            assertThat(backend.accepted()).as("the rejected connection never reached the backend").isEqualTo(2);

            first.close();
            TestWaits.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 1, "one flow left");
            assertThat(ConnectFailureTest.greeting(proxy)).isEqualTo("ok");
        }
    }

    @Test
    void flowIsClosedWhenEveryBackendIsAtItsLimit() throws Exception {
        try (TestServer a = ConnectFailureTest.greeter("a");
                TestServer b = ConnectFailureTest.greeter("b");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        .backend(a.port(), 1, 1).backend(b.port(), 1, 1).build());
                Socket first = HalfCloseAndResetTest.connect(proxy);
                Socket second = HalfCloseAndResetTest.connect(proxy)) {
            TestWaits.until(() -> a.accepted() == 1 && b.accepted() == 1, "one flow on each backend");
            assertRefusedAtOnce(proxy);
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.NO_BACKEND) == 1, "a no_backend flow counted");
            assertThat(proxy.backend(TestConfigs.POOL, "b0").activeFlows()).isEqualTo(1);
        }
    }

    /**
     * Connects and expects the proxy to close at once. The close can be so fast that the RST
     * reaches the client while its connect() is still returning: that counts too.
     */
    private static void assertRefusedAtOnce(FulcrumProxy proxy) throws IOException {
        Socket socket;
        try {
            socket = HalfCloseAndResetTest.connect(proxy);
        } catch (SocketException reset) {
            assertThat(reset).hasMessageContaining("reset");
            return;
        }
        try (socket) {
            assertClosedByPeer(socket);
        }
    }

    private static void assertClosedByPeer(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        try {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException reset) {
            assertThat(reset).hasMessageContaining("reset");
        }
    }
}
