package dev.fulcrum.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureLinesTest {

    private static FeatureVector vector() {
        double[] values = new double[FeatureSchema.width()];
        Arrays.fill(values, 0.25);
        values[FeatureSchema.N_F] = 3;
        values[FeatureSchema.column(FeatureSchema.RTT, 0)] = Double.NaN;
        return new FeatureVector(1, 1_700_000_000_000L, 250, "web", "a-1", values);
    }

    @Test
    void jsonLineIsOneObjectWithNullForAbsentValues() throws Exception {
        String line = FeatureLines.json(vector());
        assertThat(line).endsWith("}\n").doesNotContain("NaN").containsOnlyOnce("\n");
        JsonNode node = new ObjectMapper().readTree(line);
        assertThat(node.get("schema").asInt()).isEqualTo(1);
        assertThat(node.get("timestamp").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(node.get("backend").asText()).isEqualTo("a-1");
        assertThat(node.at("/features/n_f").asInt()).isEqualTo(3);
        assertThat(node.at("/features/rtt.mean").isNull()).isTrue();
        assertThat(node.at("/features/fct.p90").asDouble()).isEqualTo(0.25);
        assertThat(node.get("features").size()).isEqualTo(FeatureSchema.width());
    }

    @Test
    void csvRowMatchesItsHeaderWithEmptyCellsForAbsentValues() {
        String[] header = FeatureLines.csvHeader(List.of("ground_truth")).strip().split(",", -1);
        String[] row = FeatureLines.csvRow(vector(), Double.NaN).strip().split(",", -1);
        assertThat(row).hasSameSizeAs(header);
        assertThat(row[Arrays.asList(header).indexOf("rtt.mean")]).isEmpty();
        assertThat(row[Arrays.asList(header).indexOf("n_f")]).isEqualTo("3");
        assertThat(row[row.length - 1]).isEmpty();
        assertThat(FeatureLines.csvRow(vector(), 7.5)).endsWith(",7.5\n");
    }
}
