package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code fulcrum check-config} prints the {@code qos} section normalised, and it reads back as the same. */
class QosConfigWriterTest {

    private static final String FILE = """
            listeners:
              client: {bind: 127.0.0.1:8080, pool: cache}
              flush: {bind: 127.0.0.1:8081, pool: disk}
            pools:
              cache: {backends: [127.0.0.1:9001]}
              disk: {backends: [127.0.0.1:9002]}
            qos:
              predictor: mean
              nodes:
                cache: {watermark: "http://127.0.0.1:9100/watermark/cache", idealWatermark: 0.6}
                disk: {watermark: "http://127.0.0.1:9100/metrics", format: prometheus, field: storage_watermark, upper: 0.9}
              classes:
                client: {listeners: [client], client: true, edges: [{from: clients, to: cache}], maxRate: 200MiB}
                flush: {pools: [disk], edges: [{from: cache, to: disk, weight: 2}]}
              resources:
                link: {limit: 100MiB, use: {client: 1, flush: 0.5}}
            """;

    @Test
    void theQosSectionIsPrintedWithEveryDefaultFilledIn() throws Exception {
        String yaml = ConfigWriter.toYaml(parse(FILE));

        assertThat(yaml.substring(yaml.indexOf("qos:"))).isEqualTo("""
                qos:
                  fetchTimeout: 500ms
                  predictor: mean
                  nodes:
                    cache:
                      watermark: http://127.0.0.1:9100/watermark/cache
                      format: json
                      field: watermark
                      lower: 0.0
                      upper: 0.98
                      idealWatermark: 0.6
                      stiffness: 5.0
                    disk:
                      watermark: http://127.0.0.1:9100/metrics
                      format: prometheus
                      field: storage_watermark
                      lower: 0.0
                      upper: 0.9
                      idealWatermark: 0.5
                      stiffness: 5.0
                  classes:
                    client:
                      listeners: ["client"]
                      client: true
                      edges:
                        - from: clients
                          to: cache
                          weight: 1.0
                      maxRate: 200MiB
                    flush:
                      listeners: ["flush"]
                      client: false
                      edges:
                        - from: cache
                          to: disk
                          weight: 2.0
                      maxRate: 1048576MiB
                  resources:
                    link:
                      limit: 100MiB
                      use:
                        client: 1.0
                        flush: 0.5
                """);
    }

    @Test
    void thePrintedQosSectionReadsBackAsTheSameConfiguration() throws Exception {
        FulcrumConfig config = parse(FILE);

        String yaml = ConfigWriter.toYaml(config);

        assertThat(parse(yaml).qos()).isEqualTo(config.qos());
        assertThat(ConfigWriter.toYaml(parse(yaml))).as("the normal form is a fixed point").isEqualTo(yaml);
    }

    @Test
    void withoutClassesNoQosSectionIsPrinted() throws Exception {
        assertThat(ConfigWriter.toYaml(parse(ConfigTesting.MINIMAL))).doesNotContain("qos:");
    }
}
