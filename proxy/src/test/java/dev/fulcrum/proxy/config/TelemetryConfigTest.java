package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.TelemetryConfig.DatasetConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The telemetry section: defaults, every field read, and each wrong value named with what was expected. */
class TelemetryConfigTest {

    @Test
    void absentSectionGivesTheDefaults() throws ConfigException {
        TelemetryConfig telemetry = parse(MINIMAL).telemetry();
        assertThat(telemetry).isEqualTo(TelemetryConfig.DEFAULT);
        assertThat(telemetry.enabled()).isTrue();
        assertThat(telemetry.reservoirSize()).isEqualTo(128);
        assertThat(telemetry.emaDecay()).isEqualTo(0.9);
        assertThat(telemetry.dataset()).isNull();
    }

    @Test
    void everyFieldIsReadAndWrittenBack() throws ConfigException {
        FulcrumConfig config = parse("""
                telemetry:
                  tick: 100ms
                  enabled: false
                  reservoirSize: 64
                  emaDecay: 0.5
                  stream: {maxPendingBytes: 1MiB, maxUnwritableTicks: 8}
                  dataset:
                    path: out/features.csv
                    format: csv
                    groundTruth: {web/a: "http://127.0.0.1:9100/load"}
                    groundTruthField: busy
                    groundTruthTimeout: 150ms
                    transitions: out/q.ndjson
                """ + MINIMAL);
        TelemetryConfig t = config.telemetry();
        assertThat(t.tick()).isEqualTo(Duration.ofMillis(100));
        assertThat(t.enabled()).isFalse();
        assertThat(t.reservoirSize()).isEqualTo(64);
        assertThat(t.emaDecay()).isEqualTo(0.5);
        assertThat(t.stream()).isEqualTo(new TelemetryConfig.StreamConfig(1 << 20, 8));
        assertThat(t.dataset()).isEqualTo(new DatasetConfig(Path.of("out/features.csv"),
                Map.of("web/a", "http://127.0.0.1:9100/load"), "busy", Duration.ofMillis(150), Path.of("out/q.ndjson")));
        assertThat(parse(ConfigWriter.toYaml(config)).telemetry()).isEqualTo(t);
    }

    @Test
    void wrongValuesAreNamedWithWhatWasExpected() {
        assertThat(problemsOf("""
                telemetry:
                  enabled: maybe
                  reservoirSize: 0
                  emaDecay: 1.5
                  stream: {maxUnwritableTicks: 0}
                  dataset:
                    format: parquet
                    groundTruth: {a: "http://x/", web/b: "ftp://x/"}
                    transitions: 7
                """ + MINIMAL)).containsExactly(
                "cfg.yaml: telemetry.enabled: \"maybe\" (expected: true or false)",
                "cfg.yaml: telemetry.reservoirSize: 0 (expected: an integer from 1 to 65536)",
                "cfg.yaml: telemetry.emaDecay: 1.5 (expected: a number above 0 and below 1, e.g. 0.9)",
                "cfg.yaml: telemetry.stream.maxUnwritableTicks: 0 (expected: an integer from 1 to 100000)",
                "cfg.yaml: telemetry.dataset.path: missing (expected: the path of the CSV file to write)",
                "cfg.yaml: telemetry.dataset.format: \"parquet\" (expected one of: csv)",
                "cfg.yaml: telemetry.dataset.groundTruth.a: key \"a\" names no backend (expected: pool/backend)",
                "cfg.yaml: telemetry.dataset.groundTruth[\"web/b\"]: \"ftp://x/\" (expected: an http:// URL answering a number or a JSON object)",
                "cfg.yaml: telemetry.dataset.transitions: 7 (expected: the path of the NDJSON file to write the q-network pools' transitions to)");
    }
}
