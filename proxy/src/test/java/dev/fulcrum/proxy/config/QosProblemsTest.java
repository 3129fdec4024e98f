package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code qos:}: bandwidth classes, their nodes and resources, and the problems reported for wrong values. */
class QosProblemsTest {

    private static final String BASE = "listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\n"
            + "pools:\n  web: {backends: [127.0.0.1:9001]}\n";

    @Test
    void withoutQosThereIsNoClass() throws Exception {
        assertThat(parse(ConfigTesting.MINIMAL).qos().enabled()).isFalse();
    }

    @Test
    void aClassNamedByPoolTakesThePoolsListeners() throws Exception {
        QosConfig qos = parse(BASE + """
                qos:
                  nodes: {cache: {watermark: "http://127.0.0.1:9100/w", idealWatermark: 0.6}}
                  classes: {client: {pools: [web], client: true, edges: [{from: clients, to: cache}], maxRate: 10MiB}}
                  resources: {link: {limit: 100MiB, use: {client: 1}}}
                """).qos();
        assertThat(qos.enabled()).isTrue();
        assertThat(qos.classes().get("client").listeners()).containsExactly("web");
        assertThat(qos.classes().get("client").maxRate()).isEqualTo(10L * 1024 * 1024);
        assertThat(qos.nodes().get("cache").idealWatermark()).isEqualTo(0.6);
        assertThat(qos.nodes().get("cache").stiffness()).isEqualTo(5);
    }

    @Test
    void wrongValuesAreReportedWithTheirPaths() {
        assertThat(problemsOf(BASE + """
                qos:
                  nodes: {cache: {watermark: "ftp://x", idealWatermark: 1.5}}
                  classes: {client: {listeners: [nope], edges: [{from: clients, to: cache}]}}
                  resources: {link: {limit: fast, use: {other: 1}}}
                """)).containsExactlyInAnyOrder(
                "cfg.yaml: qos.nodes.cache.watermark: \"ftp://x\" (expected: an http:// URL answering the node's watermark)",
                "cfg.yaml: qos.nodes.cache.idealWatermark: 1.5 (expected: a number between 0 and 1)",
                "cfg.yaml: qos.classes.client.listeners[0]: \"nope\" (expected one of: web)",
                "cfg.yaml: qos.resources.link.limit: \"fast\" (expected: a rate in bytes per second (" + ValueParsers.SIZE_RULE
                        + "), from 1 to 1TiB)",
                "cfg.yaml: qos.resources.link.use.other: \"other\" names no class (expected one of: client)");
    }
}
