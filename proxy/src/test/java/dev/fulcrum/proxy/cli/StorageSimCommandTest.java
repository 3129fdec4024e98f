package dev.fulcrum.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageSimCommandTest {

    @Test
    void simStoragePrintsTable1AndTheAblationAsJsonAndWritesTheSeries(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path series = dir.resolve("series.json");
        int code = FulcrumCommand.execute(new PrintWriter(out), new PrintWriter(err), "sim", "storage", "--seconds", "300",
                "--tune-seconds", "200", "--tune-iterations", "0", "--tune-seeds", "1", "--json", "--series", series.toString());
        assertThat(code).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("table")).hasSize(8);
        assertThat(json.get("ablation")).hasSize(16); // PASCAL at Eq. 15 shares, PASCAL without BO, three predictors, three untuned baselines; per workload
        assertThat(json.at("/table/0/method").asText()).isEqualTo("PASCAL");
        assertThat(json.at("/table/0/meanThroughput").asDouble()).isPositive();
        assertThat(new ObjectMapper().readTree(Files.readString(series)).has("synthetic/PASCAL")).isTrue();
    }

    @Test
    void simStorageRefusesTooShortARun() {
        StringWriter err = new StringWriter();
        int code = FulcrumCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "sim", "storage",
                "--seconds", "10");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("(expected: >= 100, >= 100, >= 0, >= 1, >= 1)");
    }
}
