package dev.fulcrum.proxy.telemetry;

import static dev.fulcrum.proxy.telemetry.TelemetryTraffic.RESPONSE_BYTES;
import static dev.fulcrum.proxy.telemetry.TelemetryTraffic.REQUEST;
import static dev.fulcrum.proxy.telemetry.TelemetryTraffic.SERVICE_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.RuntimeConfig.Transport;
import dev.fulcrum.proxy.config.TelemetryConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import io.netty.channel.epoll.Epoll;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Per-flow records become per-backend feature vectors, on both transports, through real sockets. */
class FlowTelemetryTest {

    private static final int FLOWS = 12;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void flowsBecomeFeaturesOfTheirBackend(Transport transport) throws Exception {
        if (transport == Transport.EPOLL) {
            assertThat(Epoll.isAvailable()).as("Netty's native epoll must load on this machine").isTrue();
        }
        try (TestServer backend = TelemetryTraffic.slowResponder();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().transport(transport).backend(backend.port()).build())) {
            TelemetryTraffic.Collected collected = new TelemetryTraffic.Collected(proxy);
            for (int i = 0; i < FLOWS; i++) {
                assertThat(TelemetryTraffic.exchange(proxy)).isEqualTo(RESPONSE_BYTES);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (collected.sum("n_fct") < FLOWS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(collected.sum("n_f")).isEqualTo(FLOWS);
            assertThat(collected.sum("n_fct")).isEqualTo(FLOWS);
            assertThat(collected.sum("n_cls")).isZero();
            // The backend closes first, after its answer; the proxy passes that FIN on.
            assertThat(collected.sum("n_end_backend_close") + collected.sum("n_end_client_close")).isEqualTo(FLOWS);
            assertThat(collected.sum("n_norm")).isGreaterThanOrEqualTo(2 * FLOWS);
            for (FeatureVector v : collected.vectors) {
                assertThat(v.schemaVersion()).isEqualTo(FeatureSchema.VERSION);
                assertThat(v.pool()).isEqualTo(TestConfigs.POOL);
                assertThat(v.backend()).isEqualTo("b0");
                assertThat(v.values()).hasSize(FeatureSchema.width());
            }
            double minService = SERVICE_MILLIS / 1000.0;
            assertThat(collected.where("pt_1st.mean", "pt_1st")).isNotEmpty().allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(minService));
            assertThat(collected.where("fct.mean", "fct")).isNotEmpty().allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(minService));
            assertThat(collected.where("lat_sa.mean", "lat_sa")).isNotEmpty().allSatisfy(v -> assertThat(v).isPositive().isLessThan(2.0));
            // Every flow moved the request one way and the response the other: exact bytes per flow.
            assertThat(collected.where("byte_f.mean", "byte_f")).isNotEmpty()
                    .allSatisfy(v -> assertThat(v).isEqualTo(REQUEST.length + RESPONSE_BYTES));
            assertThat(collected.where("iat_f.mean", "iat_f")).isNotEmpty();

            if (transport == Transport.EPOLL) {
                assertThat(proxy.telemetry().readsTcpInfo()).isTrue();
                assertThat(collected.where("rtt.mean", "rtt")).isNotEmpty().allSatisfy(v -> assertThat(v).isPositive());
                assertThat(collected.where("win.mean", "win")).isNotEmpty().allSatisfy(v -> assertThat(v).isPositive());
                assertThat(collected.where("client_rtt.mean", "client_rtt")).isNotEmpty();
                assertThat(collected.sum("n_rtr")).isGreaterThanOrEqualTo(0);
            } else {
                assertThat(proxy.telemetry().readsTcpInfo()).isFalse();
                for (FeatureVector v : collected.vectors) {
                    for (String absent : new String[] {"n_dpk", "n_ooo", "n_rtr", "win.mean", "d_win.p90", "rtt.mean", "rttvar.std",
                        "rcv_space.ema_mean", "client_rtt.ema_p90"}) {
                        assertThat(v.value(absent)).as(absent).isNaN();
                    }
                    assertThat(v.value("fct.ema_mean")).isNotNaN();
                }
            }
        }
    }

    @Test
    void longFlowsAreSampledWhileOpen() throws Exception {
        try (TestServer echo = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().transport(Transport.EPOLL).backend(echo.port()).build());
                java.net.Socket socket = new java.net.Socket()) {
            TelemetryTraffic.Collected collected = new TelemetryTraffic.Collected(proxy);
            socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2000);
            socket.setSoTimeout(5000);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // Open for over a second (the long-flow sampling period), echoing now and then.
            while ((collected.where("byte_f_on.mean", "byte_f_on").isEmpty() || collected.where("rtt.mean", "rtt").size() < 2)
                    && System.nanoTime() < deadline) {
                socket.getOutputStream().write(new byte[100]);
                socket.getInputStream().readNBytes(100);
                Thread.sleep(50);
            }
            assertThat(collected.where("byte_f_on.mean", "byte_f_on")).isNotEmpty().allSatisfy(v -> assertThat(v).isPositive());
            assertThat(collected.sum("n_fct")).as("the flow is still open").isZero();
            assertThat(collected.where("rtt.mean", "rtt")).as("first byte and periodic TCP_INFO samples").hasSizeGreaterThanOrEqualTo(2);
            assertThat(collected.where("pt_gen.mean", "pt_gen")).isNotEmpty();
        }
    }

    @Test
    void disabledTelemetryMeasuresNothingAndTheProxyStillRelays() throws Exception {
        try (TestServer backend = TelemetryTraffic.slowResponder();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port())
                        .telemetry(new TelemetryConfig(Duration.ofMillis(50)).withEnabled(false)).build())) {
            TelemetryTraffic.Collected collected = new TelemetryTraffic.Collected(proxy);
            assertThat(TelemetryTraffic.exchange(proxy)).isEqualTo(RESPONSE_BYTES);
            Thread.sleep(200);
            assertThat(collected.vectors).isEmpty();
            assertThat(proxy.telemetry().stream()).isNull();
            assertThat(proxy.registry().scrape()).doesNotContain("fulcrum_backend_flow_completion_time");
        }
    }
}
