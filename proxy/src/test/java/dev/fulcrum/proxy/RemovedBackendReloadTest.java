package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ReloadConfigs.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.HealthCheckConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a reload does to the backends it removes, keeps and adds: drain time, live state, health checks. */
class RemovedBackendReloadTest {

    @Test
    void aRemovedBackendsFlowIsClosedWhenItsDrainTimeRunsOut() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            FulcrumConfig base = TestConfigs.builder().build();
            FulcrumConfig both = ReloadConfigs.withPool(base, "round-robin",
                    List.of(backend("a", a.port(), 1), backend("b", b.port(), 1)), null, Duration.ofMillis(300));
            try (FulcrumProxy proxy = FulcrumProxy.start(both)) {
                int port = proxy.listenerAddress(TestConfigs.LISTENER).getPort();
                Socket one = new Socket("127.0.0.1", port);
                EchoRoundTrip.assertEchoes(one, "1");
                boolean oneOnA = a.accepted() == 1;
                Socket two = new Socket("127.0.0.1", port);
                EchoRoundTrip.assertEchoes(two, "2");
                Socket first = oneOnA ? one : two; // round robin put one flow on each backend
                Socket second = first == one ? two : one;
                assertThat(proxy.backend(TestConfigs.POOL, "a").activeFlows()).isEqualTo(1);

                ReloadResult result = proxy.reload(ReloadConfigs.withPool(base, "round-robin",
                        List.of(backend("b", b.port(), 5)), null, Duration.ofMillis(300)));

                assertThat(result.changes().backendsRemoved()).containsExactly("test/a (127.0.0.1:" + a.port() + ")");
                assertThat(result.changes().backendsReweighted()).containsExactly("test/b: weight 1 -> 5");
                assertThat(proxy.status().retiringBackends()).singleElement()
                        .satisfies(r -> assertThat(r.name()).isEqualTo("a"));
                TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BACKEND_REMOVED) == 1,
                        "the flow on the removed backend closed at its drain time");
                TestWaits.until(() -> proxy.status().retiringBackends().isEmpty(), "no backend left retiring");
                EchoRoundTrip.assertEchoes(second, "the flow on the kept backend goes on");
                assertThat(proxy.backend(TestConfigs.POOL, "b").activeFlows()).isEqualTo(1);
                first.close();
                second.close();
            }
        }
    }

    @Test
    void healthChecksFollowTheNewSetAndAKeptBackendStaysDown() throws Exception {
        HealthCheckConfig tcp = HealthCheckConfig.tcp(Duration.ofMillis(100), Duration.ofMillis(80), 1, 1);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (TestServer up = TestServer.echo()) {
            FulcrumConfig base = TestConfigs.builder().build();
            FulcrumConfig first = ReloadConfigs.withPool(base, "round-robin",
                    List.of(backend("up", up.port(), 1), backend("dead", closedPort, 1)), tcp, Duration.ofMinutes(1));
            try (FulcrumProxy proxy = FulcrumProxy.start(first)) {
                TestWaits.until(() -> !proxy.backend(TestConfigs.POOL, "dead").isHealthy(), "dead is DOWN");

                ReloadResult result = proxy.reload(ReloadConfigs.withPool(base, "least-connections",
                        List.of(backend("dead", closedPort, 3), backend("also-dead", closedPort, 1), backend("up", up.port(), 1)),
                        tcp, Duration.ofMinutes(1)));

                assertThat(result.isOk()).isTrue();
                BackendState dead = proxy.backend(TestConfigs.POOL, "dead");
                assertThat(dead.isHealthy()).as("a kept backend keeps its health at once").isFalse();
                TestWaits.until(() -> !proxy.backend(TestConfigs.POOL, "also-dead").isHealthy(), "the added backend checked DOWN");
                assertThat(proxy.status().pools().get(0).backends()).extracting(b -> b.health().state())
                        .containsExactly("down", "down", "up");
                try (Socket flow = new Socket("127.0.0.1", proxy.listenerAddress(TestConfigs.LISTENER).getPort())) {
                    EchoRoundTrip.assertEchoes(flow, "only the healthy backend takes it");
                }

                proxy.reload(ReloadConfigs.withPool(base, "least-connections", List.of(backend("dead", closedPort, 3)), null,
                        Duration.ofMinutes(1)));

                assertThat(proxy.backend(TestConfigs.POOL, "dead").isHealthy()).as("without checks every backend is up").isTrue();
                assertThat(proxy.status().pools().get(0).backends().get(0).health()).isNull();
            }
        }
    }
}
