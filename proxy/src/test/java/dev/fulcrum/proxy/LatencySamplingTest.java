package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ConnectFailureTest.closedPort;
import static dev.fulcrum.proxy.ConnectFailureTest.greeter;
import static dev.fulcrum.proxy.ConnectFailureTest.greeting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The proxy feeds every successful backend connect's time into that backend's latency estimate,
 * which p2c-peak-ewma reads. How the policy reacts to latencies is tested in balancing with a
 * driven clock; loopback connects are too fast and even to show it here.
 */
class LatencySamplingTest {

    private static BackendState backend(FulcrumProxy proxy, String name) {
        return proxy.backend(TestConfigs.POOL, name);
    }

    @Test
    void connectTimesBecomeLatencyEstimatesAndP2cPicksWork() throws Exception {
        try (TestServer one = greeter("one");
                TestServer two = greeter("two");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().policy("p2c-peak-ewma")
                        .backend(one.port()).backend(two.port()).build())) {
            for (int i = 0; i < 20; i++) {
                assertThat(greeting(proxy)).isIn("one", "two");
            }
            assertThat(one.accepted() + two.accepted()).isEqualTo(20);
            // A backend with no sample and no open flow costs nothing, so each was probed at once.
            assertThat(one.accepted()).isPositive();
            assertThat(two.accepted()).isPositive();
            long now = System.nanoTime();
            for (String name : new String[] {"b0", "b1"}) {
                // A loopback connect, but the first ones wait for class loading on a loaded machine: the
                // bound only rules out garbage (a timestamp, not a duration), not a slow machine.
                assertThat(backend(proxy, name).latencyEstimateNanos(now)).as(name)
                        .isGreaterThan(0).isLessThan(TimeUnit.SECONDS.toNanos(30));
            }
        }
    }

    @Test
    void failedConnectsAreNoSamples() throws Exception {
        try (TestServer live = greeter("live");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().policy("p2c-peak-ewma")
                        .backend(closedPort()).backend(live.port()).build())) {
            for (int i = 0; i < 5; i++) {
                assertThat(greeting(proxy)).isEqualTo("live");
            }
            long now = System.nanoTime();
            assertThat(backend(proxy, "b0").latencyEstimateNanos(now)).as("refused every time").isZero();
            assertThat(backend(proxy, "b1").latencyEstimateNanos(now)).isGreaterThan(0);
        }
    }

    @Test
    void samplesAreRecordedWhateverThePolicy() throws Exception {
        try (TestServer one = greeter("one");
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().policy("round-robin").backend(one.port()).build())) {
            assertThat(greeting(proxy)).isEqualTo("one");
            assertThat(backend(proxy, "b0").latencyEstimateNanos(System.nanoTime())).isGreaterThan(0);
        }
    }
}
