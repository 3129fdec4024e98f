package dev.fulcrum.loadtest.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code load-aware:MAPPING} in {@code testbed compare --policies}: load-aware with that mapping, so two mappings run side by side. */
class TestbedCompareConfigTest {

    private static final Path MODEL = Path.of("../learned/src/test/resources/models/load-open-flows.onnx").toAbsolutePath().normalize();

    private static PolicyConfig policyOf(BackendGroups cluster, String policy) throws Exception {
        return ConfigLoader.parse(TestbedCompare.configYaml(cluster, policy, MODEL), "compare.yaml").pools().get("web").policy();
    }

    @Test
    void aMappingAfterTheColonBecomesTheLoadAwareMappingParameter() throws Exception {
        try (BackendGroups cluster = new BackendGroups(List.of(new BackendGroups.Group("s2", 1, 2, 1.0)))) {
            PolicyConfig capacity = policyOf(cluster, "load-aware:capacity");
            assertThat(capacity.type()).isEqualTo("load-aware");
            assertThat(capacity.parameters()).containsEntry("mapping", "capacity").containsEntry("model", MODEL.toString());
            PolicyConfig plain = policyOf(cluster, "load-aware");
            assertThat(plain.parameters()).containsKey("model").doesNotContainKey("mapping");
            assertThat(policyOf(cluster, "least-connections").parameters()).isEmpty();
        }
    }

    @Test
    void aLoadAwareVariantNeedsTheModelToo() {
        assertThatThrownBy(() -> TestbedCompare.Options.parse(new String[] {"--out", "x", "--policies", "maglev,load-aware:capacity"}))
                .hasMessageStartingWith("--model: null (expected: a load-estimator .onnx file for load-aware)");
    }
}
