package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The q-network policy's parameters in a configuration file: errors point at the field. */
class QNetworkConfigTest {

    private static final String POOL = """
            listeners:
              web: {bind: 127.0.0.1:0, pool: web}
            pools:
              web:
                policy:
                  type: q-network
            %s
                backends: [127.0.0.1:9001, 127.0.0.1:9002]
            """;

    @Test
    void badParametersAreReportedAtTheirPath() {
        String yaml = POOL.formatted("""
                      model: q.onnx
                      temperature: -1
                      beta: 2
                      feedback: {a: "ftp://nowhere", b: 7}
                      feedbackTimeout: 1 minute
                """.stripTrailing());
        assertThat(problemsOf(yaml)).containsExactly(
                "cfg.yaml: pools.web.policy.temperature: -1 (expected: a finite number > 0)",
                "cfg.yaml: pools.web.policy.beta: 2 (expected: a number from 0 to 1; 0.5 in the paper, 1 for no feedback)",
                "cfg.yaml: pools.web.policy.feedback.a: ftp://nowhere (expected: an http URL such as http://127.0.0.1:9901/api/feedback)",
                "cfg.yaml: pools.web.policy.feedback.b: 7 (expected: an http URL such as http://127.0.0.1:9901/api/feedback)",
                "cfg.yaml: pools.web.policy.feedbackTimeout: 1 minute (expected: a duration such as 250ms, 2s, 5m or 1h)");
    }

    @Test
    void aValidPolicyIsRead() throws ConfigException {
        String yaml = POOL.formatted("""
                      model: q.onnx
                      beta: 0.5
                      feedback: {"127.0.0.1:9001": "http://127.0.0.1:9901/api/feedback?pool=web"}
                      transitions: q.ndjson
                """.stripTrailing());
        Map<String, Object> parameters = ConfigTesting.parse(yaml).pools().get("web").policy().parameters();
        assertThat(parameters).containsEntry("model", "q.onnx").containsEntry("transitions", "q.ndjson");
        assertThat(parameters.get("feedback")).isEqualTo(Map.of("127.0.0.1:9001", "http://127.0.0.1:9901/api/feedback?pool=web"));
    }

    @Test
    void aFeedbackUrlForABackendThePoolLacksIsRefused() {
        String yaml = """
                listeners:
                  web: {bind: 127.0.0.1:0, pool: web}
                pools:
                  web:
                    policy:
                      type: q-network
                      model: q.onnx
                      feedback:
                        child-a: "http://127.0.0.1:9901/api/feedback?pool=web"
                        child-c: "http://127.0.0.1:9903/api/feedback?pool=web"
                    backends:
                      - {name: child-a, address: 127.0.0.1:9001}
                      - {name: child-b, address: 127.0.0.1:9002}
                """;
        assertThat(problemsOf(yaml)).containsExactly(
                "cfg.yaml: pools.web.policy.feedback.child-c: key \"child-c\" names no backend of pool web (expected: one of child-a, child-b)");
    }
}
