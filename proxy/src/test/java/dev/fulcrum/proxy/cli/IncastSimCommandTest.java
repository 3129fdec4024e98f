package dev.fulcrum.proxy.cli;

import static dev.fulcrum.proxy.cli.CommandLineTest.fulcrum;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.cli.CommandLineTest.Result;
import org.junit.jupiter.api.Test;

/** {@code fulcrum sim incast}, run in-process on a tiny configuration. */
class IncastSimCommandTest {

    private static final String[] TINY = {"sim", "incast", "--quick", "--topologies", "tree", "--episodes", "1",
        "--episode-ticks", "20", "--measure-ticks", "20", "--seed", "5"};

    @Test
    void printsEveryFigureAsJsonAndTheSameForTheSameSeed() throws Exception {
        Result first = fulcrum(with("--json"));
        assertThat(first.exitCode()).as(first.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(first.out());
        // quick: two arrival rates and two flow-length parameters, six policies each; short and long.
        assertThat(json.get("arrivalSweep")).hasSize(12);
        assertThat(json.get("lengthSweep")).hasSize(12);
        assertThat(json.get("shortLong")).hasSize(12);
        assertThat(json.get("training")).hasSize(3);
        assertThat(json.at("/arrivalSweep/0/policy").asText()).isEqualTo("VLB");
        assertThat(json.at("/arrivalSweep/4/policy").asText()).isEqualTo("Feedback-DDQN");
        assertThat(json.at("/arrivalSweep/5/policy").asText()).isEqualTo("Least-load");
        assertThat(json.at("/arrivalSweep/0/topology").asText()).isEqualTo("tree");
        assertThat(json.at("/settings/seed").asLong()).isEqualTo(5);

        Result second = fulcrum(with("--json"));
        assertThat(second.out()).isEqualTo(first.out());
    }

    @Test
    void printsTablesByDefaultAndWritesTheJsonFileWhenAsked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("incast.json");
        Result result = fulcrum(with("--json-file=" + file));
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(new ObjectMapper().readTree(file.toFile()).get("arrivalSweep")).hasSize(12);
        assertThat(result.out()).contains("Figure 7: incast probability against the arrival rate",
                "| topology | arrival rate | load | VLB | ECMP | IFS-RL | Feedback-DQN | Feedback-DDQN | Least-load |");
    }

    @Test
    void refusesAnUnknownTopology() {
        Result result = fulcrum("sim", "incast", "--quick", "--topologies", "torus");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("topology: torus (expected: tree or fat-tree)");
    }

    private static String[] with(String extra) {
        String[] args = java.util.Arrays.copyOf(TINY, TINY.length + 1);
        args[TINY.length] = extra;
        return args;
    }
}
