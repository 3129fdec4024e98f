package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.PoolOperations.OutlierDetectionConfig;
import dev.fulcrum.proxy.config.PoolOperations.SendProxyProtocol;
import dev.fulcrum.proxy.config.PoolOperations.SlowStartConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code outlierDetection}, {@code slowStart}, {@code sendProxyProtocol}, the new keys and {@code sniTimeout}. */
class PoolOperationsConfigTest {

    private static String withPool(String pool) {
        return "listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\npools:\n  web: " + pool + "\n";
    }

    @Test
    void everythingIsReadAndWrittenBack() throws Exception {
        FulcrumConfig config = parse(withPool("{backends: [127.0.0.1:9001], "
                + "outlierDetection: {consecutiveFailures: 3, baseEjectionTime: 10s, maxEjectionTime: 2m, maxEjectionPercent: 50}, "
                + "slowStart: {window: 30s, aggression: 1.5, minWeightPercent: 5}, sendProxyProtocol: v2}"));
        PoolOperations operations = config.pools().get("web").operations();
        assertThat(operations.outlierDetection()).isEqualTo(
                new OutlierDetectionConfig(3, Duration.ofSeconds(10), Duration.ofMinutes(2), 50));
        assertThat(operations.slowStart()).isEqualTo(new SlowStartConfig(Duration.ofSeconds(30), 1.5, 5));
        assertThat(operations.sendProxyProtocol()).isEqualTo(SendProxyProtocol.V2);
        String yaml = ConfigWriter.toYaml(config);
        assertThat(yaml).contains("    outlierDetection:\n      consecutiveFailures: 3\n", "    sendProxyProtocol: v2\n");
        assertThat(parse(yaml)).isEqualTo(config);
    }

    @Test
    void defaultsAndOffWhenAbsent() throws Exception {
        PoolOperations none = parse(MINIMAL).pools().get("web").operations();
        assertThat(none).isEqualTo(PoolOperations.NONE);
        PoolOperations defaults = parse(withPool("{backends: [127.0.0.1:9001], outlierDetection: {}, "
                + "slowStart: {window: 1m}, sendProxyProtocol: off}")).pools().get("web").operations();
        assertThat(defaults.outlierDetection()).isEqualTo(new OutlierDetectionConfig(5, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 10));
        assertThat(defaults.slowStart()).isEqualTo(new SlowStartConfig(Duration.ofMinutes(1), 1.0, 10));
        assertThat(defaults.sendProxyProtocol()).isEqualTo(SendProxyProtocol.OFF);
    }

    @Test
    void wrongValuesAreReportedWithWhatWasExpected() {
        assertThat(problemsOf(withPool("{backends: [127.0.0.1:9001], outlierDetection: {consecutiveFailures: 0, "
                + "baseEjectionTime: 30, maxEjectionPercent: 120, interval: 1s}}"))).containsExactly(
                "cfg.yaml: pools.web.outlierDetection.interval: unknown field (expected one of: consecutiveFailures,"
                        + " baseEjectionTime, maxEjectionTime, maxEjectionPercent)",
                "cfg.yaml: pools.web.outlierDetection.consecutiveFailures: 0 (expected: an integer from 1 to 1000)",
                "cfg.yaml: pools.web.outlierDetection.baseEjectionTime: 30 (expected: a duration with a unit, e.g. 30s)",
                "cfg.yaml: pools.web.outlierDetection.maxEjectionPercent: 120 (expected: an integer from 0 to 100)");
        assertThat(problemsOf(withPool("{backends: [127.0.0.1:9001], outlierDetection: {baseEjectionTime: 1m, "
                + "maxEjectionTime: 30s}}"))).containsExactly(
                "cfg.yaml: pools.web.outlierDetection.maxEjectionTime: \"30s\" (expected: at least baseEjectionTime, 1m)");
        assertThat(problemsOf(withPool("{backends: [127.0.0.1:9001], slowStart: {aggression: 0, minWeightPercent: 0}}")))
                .containsExactly(
                        "cfg.yaml: pools.web.slowStart.window: missing (expected: a duration, e.g. 30s)",
                        "cfg.yaml: pools.web.slowStart.aggression: 0 (expected: a number above 0 and at most 100 (1 ramps linearly))",
                        "cfg.yaml: pools.web.slowStart.minWeightPercent: 0 (expected: an integer from 1 to 100)");
        assertThat(problemsOf(withPool("{backends: [127.0.0.1:9001], sendProxyProtocol: v3}"))).containsExactly(
                "cfg.yaml: pools.web.sendProxyProtocol: \"v3\" (expected one of: off, v1, v2)");
        assertThat(problemsOf(withPool("{backends: [127.0.0.1:9001], slowStart: 30s}"))).containsExactly(
                "cfg.yaml: pools.web.slowStart: \"30s\" (expected: a map with window, and optionally aggression and"
                        + " minWeightPercent)");
    }

    @Test
    void sniAndProxySourceKeysAndSniTimeoutAreRead() throws Exception {
        FulcrumConfig sni = parse(MINIMAL.replace("pool: web\n", "pool: web\n    key: sni\n    sniTimeout: 500ms\n"));
        assertThat(sni.listeners().get("web").key()).isEqualTo(FlowKey.SNI);
        assertThat(sni.listeners().get("web").sniTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(parse(ConfigWriter.toYaml(sni))).isEqualTo(sni);
        FulcrumConfig source = parse(MINIMAL.replace("pool: web\n", "pool: web\n    key: proxy-source\n    proxyProtocol: v2\n"));
        assertThat(source.listeners().get("web").key()).isEqualTo(FlowKey.PROXY_SOURCE);
        assertThat(problemsOf(MINIMAL.replace("pool: web\n", "pool: web\n    sniTimeout: 0s\n"))).containsExactly(
                "cfg.yaml: listeners.web.sniTimeout: \"0s\" (expected: a duration above 0 and at most 5m)");
    }
}
