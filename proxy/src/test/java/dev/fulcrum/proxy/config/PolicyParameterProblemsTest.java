package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.PolicyConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameters of the latency-aware policies, read from the file and checked by their factories. */
class PolicyParameterProblemsTest {

    private static String withPolicy(String policy) {
        return "listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\npools:\n  web: {policy: " + policy
                + ", backends: [127.0.0.1:9001]}\n";
    }

    @Test
    void p2cDurationsAreReadAsTheFileWritesThem() throws Exception {
        assertThat(parse(withPolicy("{type: p2c-peak-ewma, decay: 5s, penalty: 250ms}")).pools().get("web").policy())
                .isEqualTo(new PolicyConfig("p2c-peak-ewma", Map.of("decay", "5s", "penalty", "250ms")));
        assertThat(parse(withPolicy("random")).pools().get("web").policy()).isEqualTo(PolicyConfig.of("random"));
    }

    @Test
    void p2cParameterProblemsAreReportedAtTheParameter() {
        assertThat(problemsOf(withPolicy("{type: p2c-peak-ewma, decay: 30, penalty: 2h}"))).containsExactly(
                "cfg.yaml: pools.web.policy.decay: 30 (expected: a duration with a unit, e.g. 30s)",
                "cfg.yaml: pools.web.policy.penalty: \"2h\" (expected: a duration from 1ms to 1h)");
        assertThat(problemsOf(withPolicy("{type: random, seed: 7}"))).containsExactly(
                "cfg.yaml: pools.web.policy.seed: unknown parameter for policy random (it takes none)");
    }
}
