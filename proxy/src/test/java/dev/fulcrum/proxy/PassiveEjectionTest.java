package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ConnectFailureTest.closedPort;
import static dev.fulcrum.proxy.ConnectFailureTest.counter;
import static dev.fulcrum.proxy.ConnectFailureTest.greeter;
import static dev.fulcrum.proxy.ConnectFailureTest.greeting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.config.PoolOperations;
import dev.fulcrum.proxy.config.PoolOperations.OutlierDetectionConfig;
import dev.fulcrum.proxy.config.PoolOperations.SendProxyProtocol;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Passive ejection on real sockets: a backend that refuses connects is ejected after the configured
 * failures in a row, gets no new flows while ejected, comes back when its time is up, and is ejected
 * for longer the second time; the cap keeps part of the pool in even when all of it fails.
 */
class PassiveEjectionTest {

    private static PoolOperations ejection(int failures, Duration base, int percent) {
        return new PoolOperations(new OutlierDetectionConfig(failures, base, base.multipliedBy(10), percent), null,
                SendProxyProtocol.OFF);
    }

    @Test
    void refusingBackendIsEjectedGetsNoFlowsAndComesBackLater() throws Exception {
        int dead = closedPort();
        try (TestServer live = greeter("live");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        // 5 s: the ejection must outlast the four flows and the checks below on a loaded
                        // machine (700 ms could end before isEjected() was read); the wait for its end is 30 s.
                        .operations(ejection(2, Duration.ofSeconds(5), 50))
                        .backend(dead).backend(live.port()).build())) {
            BackendState b0 = proxy.backend(TestConfigs.POOL, "b0");
            for (int i = 0; i < 4; i++) {
                assertThat(greeting(proxy)).isEqualTo("live"); // each failed connect is retried elsewhere
            }
            assertThat(b0.isEjected()).isTrue();
            assertThat(b0.ejections()).isEqualTo(1);
            double failuresWhenEjected = counter(proxy, "fulcrum_backend_connect_failures_total", "b0");
            assertThat(failuresWhenEjected).isEqualTo(2.0);
            assertThat(proxy.status().pools().get(0).backends().get(0).state()).isEqualTo("ejected");
            assertThat(counter(proxy, "fulcrum_backend_ejections_total", "b0")).isEqualTo(1.0);
            assertThat(counter(proxy, "fulcrum_backend_ejected", "b0")).isEqualTo(1.0);

            for (int i = 0; i < 6 && b0.isEjected(); i++) {
                assertThat(greeting(proxy)).isEqualTo("live");
            }
            if (b0.isEjected()) {
                assertThat(counter(proxy, "fulcrum_backend_connect_failures_total", "b0"))
                        .as("no flow is sent to an ejected backend").isEqualTo(failuresWhenEjected);
            }

            // Time up: the control thread ends the ejection even without traffic.
            TestWaits.until(() -> !b0.isEjected(), "the ejection ends");
            TestWaits.until(() -> counter(proxy, "fulcrum_backend_ejected", "b0") == 0.0, "gauge back to 0");
            // It gets flows again, fails again, and is ejected a second time (for twice as long).
            long before = System.nanoTime();
            for (int i = 0; i < 8 && b0.ejections() < 2; i++) {
                assertThat(greeting(proxy)).isEqualTo("live");
            }
            assertThat(b0.ejections()).isEqualTo(2);
            assertThat(b0.ejectedUntilNanos() - before).isGreaterThan(Duration.ofSeconds(10).toNanos() - Duration.ofSeconds(1).toNanos());
        }
    }

    @Test
    void capKeepsPartOfAFailingPoolInAndASuccessResetsTheCount() throws Exception {
        try (FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().connectAttempts(1)
                .operations(ejection(1, Duration.ofMinutes(1), 50))
                .backend(closedPort()).backend(closedPort()).backend(closedPort()).backend(closedPort()).build())) {
            for (int i = 0; i < 12; i++) {
                try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
                    client.setSoTimeout(5_000);
                    assertThat(client.getInputStream().read()).isEqualTo(-1);
                }
            }
            TestWaits.until(() -> proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CONNECT_FAILED) == 12, "all flows ended");
            int ejected = 0;
            for (var b : proxy.status().pools().get(0).backends()) {
                ejected += b.state().equals("ejected") ? 1 : 0;
            }
            assertThat(ejected).as("maxEjectionPercent 50 of 4").isEqualTo(2);
        }
    }

    @Test
    void aBackendThatAnswersIsNeverEjectedByFailuresInBetween() throws Exception {
        try (TestServer live = greeter("live");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        .operations(ejection(2, Duration.ofMinutes(1), 100)).backend(live.port()).build())) {
            BackendState b0 = proxy.backend(TestConfigs.POOL, "b0");
            for (int i = 0; i < 5; i++) {
                b0.recordFailure(); // one failure, then a flow that works: the count starts over
                assertThat(greeting(proxy)).isEqualTo("live");
                TestWaits.until(() -> b0.consecutiveFailures() == 0, "the success resets the count");
            }
            assertThat(b0.ejections()).isZero();
        }
    }

    @Test
    void anUndrainedBackendShowsSlowStartUntilItsWindowEnds() throws Exception {
        try (TestServer live = greeter("live");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        .operations(new PoolOperations(null, new PoolOperations.SlowStartConfig(Duration.ofMillis(600), 1.0, 10),
                                SendProxyProtocol.OFF))
                        .backend(live.port()).build())) {
            assertThat(proxy.status().pools().get(0).backends().get(0).state()).isEqualTo("up");
            proxy.setDraining(TestConfigs.POOL, "b0", true);
            assertThat(proxy.setDraining(TestConfigs.POOL, "b0", false).state()).isEqualTo("slow-start");
            assertThat(greeting(proxy)).as("a lone ramping backend still takes every flow").isEqualTo("live");
            TestWaits.until(() -> proxy.status().pools().get(0).backends().get(0).state().equals("up"), "the ramp ends");
        }
    }
}
