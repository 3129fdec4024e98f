package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ReloadConfigs.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.config.PoolOperations;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What else a reload must carry: telemetry measures the new backend set (a reload builds new sets
 * even for a pool that did not change), and a pool's slow start ramps the backends a reload adds,
 * not the ones that stay.
 */
class ReloadFollowsTest {

    @Test
    void telemetryMeasuresThePoolsAReloadBuildsAndItsGaugesShowTheNewWeights() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            FulcrumConfig base = TestConfigs.builder().build();
            try (FulcrumProxy proxy = FulcrumProxy.start(ReloadConfigs.withPool(base, "round-robin",
                    List.of(backend("a", a.port(), 1))))) {
                assertThat(proxy.reload(ReloadConfigs.withPool(base, "round-robin",
                        List.of(backend("a", a.port(), 4), backend("b", b.port(), 1)))).isOk()).isTrue();

                // Every tick's vectors, not only the latest: a poll would miss the ticks between polls.
                java.util.concurrent.atomic.DoubleAdder flowsMeasured = new java.util.concurrent.atomic.DoubleAdder();
                proxy.telemetry().onTick(vectors -> vectors.forEach(v -> flowsMeasured.add(v.value("n_f"))));
                int port = proxy.listenerAddress(TestConfigs.LISTENER).getPort();
                for (int i = 0; i < 10; i++) {
                    try (Socket flow = new Socket("127.0.0.1", port)) {
                        EchoRoundTrip.assertEchoes(flow, "after the reload " + i);
                    }
                }
                TestWaits.until(() -> flowsMeasured.sum() >= 10,
                        "the flows after the reload are measured");
                String scrape = proxy.registry().scrape();
                assertThat(scrape).contains("fulcrum_backend_weight{backend=\"a\",pool=\"test\"} 4.0")
                        .contains("fulcrum_backend_weight{backend=\"b\",pool=\"test\"} 1.0");
                assertThat(proxy.telemetry().latest()).extracting(FeatureVector::backend).containsExactly("a", "b");
            }
        }
    }

    @Test
    void slowStartRampsTheBackendsAReloadAddsAndNotTheOnesThatStay() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            FulcrumConfig base = TestConfigs.builder().build();
            PoolOperations slowStart = new PoolOperations(null,
                    new PoolOperations.SlowStartConfig(Duration.ofMinutes(10), 1.0, 10), PoolOperations.SendProxyProtocol.OFF);
            try (FulcrumProxy proxy = FulcrumProxy.start(withOperations(base, List.of(backend("a", a.port(), 1)), slowStart))) {
                assertThat(proxy.backend(TestConfigs.POOL, "a").isRamping()).as("backends there at start do not ramp").isFalse();

                assertThat(proxy.reload(withOperations(base, List.of(backend("a", a.port(), 1), backend("b", b.port(), 1)),
                        slowStart)).isOk()).isTrue();

                assertThat(proxy.backend(TestConfigs.POOL, "a").isRamping()).isFalse();
                assertThat(proxy.backend(TestConfigs.POOL, "b").isRamping()).isTrue();
                assertThat(proxy.backend(TestConfigs.POOL, "b").rampFraction()).isLessThan(0.2);
                assertThat(proxy.status().pools().get(0).backends()).extracting(s -> s.state()).containsExactly("up", "slow-start");
            }
        }
    }

    private static FulcrumConfig withOperations(FulcrumConfig base, List<Backend> backends, PoolOperations operations) {
        PoolConfig pool = new PoolConfig(TestConfigs.POOL, PolicyConfig.of("round-robin"), backends, null, operations);
        return new FulcrumConfig(base.source(), base.runtime(), base.admin(), base.listeners(), Map.of(TestConfigs.POOL, pool),
                base.telemetry());
    }
}
