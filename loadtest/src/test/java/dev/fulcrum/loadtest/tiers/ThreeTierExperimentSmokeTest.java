package dev.fulcrum.loadtest.tiers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three-tier harness end to end, briefly, on real sockets: collect writes transitions of both
 * variants (3 children; the feedback variant sees child C's other parent, IFS-RL never does), and a
 * compare round runs every policy and yields a median for each. Figures come from
 * scripts/qnet-three-tiers, not from here.
 */
class ThreeTierExperimentSmokeTest {

    private static final Path MODEL = Path.of("../learned/src/test/resources/models/qnet/least-loaded.onnx").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void collectThenCompareOneRound() throws Exception {
        ThreeTierExperiment.collect(dir, 4, 8, 6, 0.5);
        List<String> feedback = Files.readAllLines(dir.resolve("transitions-feedback.ndjson"));
        List<String> ifsRl = Files.readAllLines(dir.resolve("transitions-ifs-rl.ndjson"));
        assertThat(feedback).isNotEmpty();
        assertThat(ifsRl).isNotEmpty();
        boolean sawOthersOnC = false;
        for (String line : feedback) {
            JsonNode t = JSON.readTree(line);
            assertThat(t.get("state").get("own").size()).isEqualTo(3);
            sawOthersOnC |= t.get("state").get("others").get(2).asInt() > 0;
        }
        assertThat(sawOthersOnC).as("the feedback variant's state holds child C's flows from its other parent").isTrue();
        for (String line : ifsRl) {
            JsonNode others = JSON.readTree(line).get("state").get("others");
            assertThat(others.get(0).asInt() + others.get(1).asInt() + others.get(2).asInt()).as("IFS-RL: no children's state").isZero();
        }

        List<ThreeTierExperiment.Row> rows = ThreeTierExperiment.compare(dir, Map.of("feedback", MODEL, "ifs-rl", MODEL), 3, 1, 8, 6, 0.5, 0.5);
        assertThat(rows).extracting(ThreeTierExperiment.Row::policy).containsExactly("random", "maglev", "ifs-rl", "feedback");
        for (ThreeTierExperiment.Row row : rows) {
            assertThat(row.main().completed()).as(row.line()).isPositive();
            assertThat(row.shares()[0] + row.shares()[1] + row.shares()[2]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(row.pastCapacity()).isBetween(0.0, 1.0);
        }
        assertThat(ThreeTierExperiment.medians(rows)).containsOnlyKeys("random", "maglev", "ifs-rl", "feedback");
        assertThat(Files.readAllLines(dir.resolve("compare.tsv"))).hasSize(5);
        assertThat(Files.readString(dir.resolve("runs").resolve("feedback-1").resolve("parent.yaml"))).contains("temperature: 0.5");
    }
}
