package dev.fulcrum.loadtest.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of {@code loadtest/testbed experiment} (loadtest/harness/testbed_experiment.py) on a
 * small made-up {@code compare.json} whose answers are known: medians over rounds, Jain's fairness
 * and over-provisioning (max/mean utilisation) from the backends' utilisation, the targets checked
 * against Maglev and the best classical policy, the Figure 6 plot. The experiment itself takes
 * minutes, so its runs are not in the suite; {@code TestbedCollectTest} covers collect on sockets.
 */
class TestbedExperimentReportTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    private static String run(int round, String policy, double fraction, double mean, double p99, String utilisation) {
        return String.format(Locale.ROOT, "{\"round\":%d,\"policy\":\"%s\",\"fraction\":%.3f,\"rate\":%.2f,\"arrivals\":100,"
                + "\"completed\":100,\"failed\":%d,\"unfinished\":0,\"fctMeanMs\":%.2f,\"fctP50Ms\":%.2f,\"fctP90Ms\":%.2f,"
                + "\"fctP99Ms\":%.2f,\"jain\":0.5,\"utilisation\":%s}", round, policy, fraction, fraction * 140, policy.equals("maglev") ? 4 : 0,
                mean, mean / 2, p99 / 2, p99, utilisation);
    }

    private static String compare(String workload, List<String> runs) {
        return "{\"workload\":\"" + workload + "\",\"capacity\":140.00,\"rounds\":2,\"seconds\":10,\"seed\":1,\"model\":\"m.onnx\",\"runs\":[\n"
                + String.join(",\n", runs) + "]}\n";
    }

    private Process report(Path compare, Path generality, Path out) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", ROOT.resolve("loadtest/harness/testbed_experiment.py").toString(),
                "--compare", compare.toString(), "--out", out.toString(), "--load", "3.1 2.9 2.5", "--command", "loadtest/testbed experiment"));
        if (generality != null) {
            command.addAll(List.of("--generality", generality.toString()));
        }
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("report.log").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return process;
    }

    @Test
    void theReportTakesMediansAndComputesFairnessOverProvisioningAndTheTargets() throws Exception {
        String uneven = "[1.0, 0.5, 0.5, 0.5, 0.5]"; // mean 0.6: max/mean 1.667, Jain 9 / (5 x 2) = 0.9
        String even = "[0.6, 0.6, 0.6, 0.6, 0.6]";   // 1 and 1
        List<String> runs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            int spread = round == 0 ? -100 : 100;   // medians of two rounds: the midpoints
            runs.add(run(round, "maglev", 0.8, 1000 + spread, 3000 + spread, uneven));
            runs.add(run(round, "least-connections", 0.8, 400 + spread, 500 + spread, even));
            runs.add(run(round, "load-aware", 0.8, 300 + spread, 400 + spread, even));
            // another mapping of load-aware (TestbedCompare's load-aware:MAPPING): learned, never the best classical
            runs.add(run(round, "load-aware:inverse-load", 0.8, 250 + spread, 350 + spread, even));
            runs.add(run(round, "maglev", 0.9, 2000 + spread, 5000 + spread, uneven));
            runs.add(run(round, "least-connections", 0.9, 1500 + spread, 2000 + spread, even));
            runs.add(run(round, "load-aware", 0.9, 1200 + spread, 2500 + spread, even)); // p99 above least-connections
        }
        Path compare = Files.writeString(dir.resolve("compare.json"), compare("for-loop", runs));
        Path generality = Files.writeString(dir.resolve("generality.json"), compare("wiki", List.of(
                run(0, "maglev", 0.9, 900, 2000, uneven), run(0, "load-aware", 0.9, 700, 1900, even))));
        Path out = dir.resolve("docs");

        Process process = report(compare, generality, out);
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("report.log"))).isZero();

        JsonNode json = new ObjectMapper().readTree(out.resolve("experiment.json").toFile());
        JsonNode rows = json.get("sweep").get("rows");
        assertThat(rows).hasSize(7);
        JsonNode maglev80 = rows.get(0);
        assertThat(maglev80.get("policy").asText()).isEqualTo("maglev");
        assertThat(maglev80.get("fctMeanMs").asDouble()).isEqualTo(1000.0);
        assertThat(maglev80.get("fctP99Ms").asDouble()).isEqualTo(3000.0);
        assertThat(maglev80.get("failed").asDouble()).isEqualTo(4.0);
        assertThat(maglev80.get("jain").asDouble()).isCloseTo(0.9, within(1e-9));
        assertThat(maglev80.get("overProvisioning").asDouble()).isCloseTo(1.0 / 0.6, within(1e-9));
        assertThat(rows.get(2).get("jain").asDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(rows.get(2).get("overProvisioning").asDouble()).isCloseTo(1.0, within(1e-9));

        JsonNode targets = json.get("targets");
        assertThat(targets).hasSize(2);
        assertThat(targets.get(0).get("meanCutVsMaglev").asDouble()).isCloseTo(0.7, within(1e-9));
        assertThat(targets.get(0).get("p99CutVsMaglev").asDouble()).isCloseTo(1 - 400.0 / 3000, within(1e-9));
        assertThat(targets.get(0).get("p99NoWorseThanBest").asBoolean()).isTrue();
        assertThat(targets.get(0).get("bestClassicalP99").asText()).isEqualTo("least-connections");
        assertThat(targets.get(1).get("meanCutVsMaglev").asDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(targets.get(1).get("bestClassicalP99").asText()).isEqualTo("least-connections");
        assertThat(targets.get(1).get("p99NoWorseThanBest").asBoolean()).isFalse();
        assertThat(json.get("generality").get("rows")).hasSize(2);

        String md = Files.readString(out.resolve("experiment.md"));
        assertThat(md).contains("| 80% | maglev | 1000 | 500 | 3000 | 4 | 0 | 0.60 | 0.900 | 1.67 |",
                "| 80% | 70% | 87% | least-connections 500 ms | 400 ms | met |",
                "| 90% | 40% | 50% | least-connections 2000 ms | 2500 ms | missed: p99 above best classical |",
                "3.1 2.9 2.5", "Command: `loadtest/testbed experiment`", "## Generality", "workload wiki", "![FCT against rate](fct.png)");
        assertThat(Files.readAllBytes(out.resolve("fct.png"))).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aMissingOrBrokenResultIsNamed() throws Exception {
        Process missing = report(dir.resolve("absent.json"), null, dir.resolve("out"));
        assertThat(missing.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("report.log"))).contains("absent.json");

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"runs\": [");
        Process bad = report(broken, null, dir.resolve("out"));
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("report.log"))).contains("testbed_experiment:");
    }

    @Test
    void theExperimentCommandRefusesUnknownOptionsBeforeRunningAnything() throws Exception {
        Process process = new ProcessBuilder(ROOT.resolve("loadtest/testbed").toString(), "experiment", "--frob", "1")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("experiment.log").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("experiment.log"))).contains("--frob: unknown option");
        Process model = new ProcessBuilder(ROOT.resolve("loadtest/testbed").toString(), "experiment", "--model", dir.resolve("x.onnx").toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("experiment.log").toFile()).start();
        assertThat(model.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(model.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("experiment.log"))).contains("--model:", "expected: a load-estimator .onnx file");
    }
}
