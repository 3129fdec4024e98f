package dev.fulcrum.learned.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's load estimators (all four: Dense1, RNN2, LSTM2, GRU2), trained now on a synthetic
 * collection, pass the loader's contract checks, compile against the feature schema, and ONNX
 * Runtime reproduces PyTorch's outputs on the check windows at other batch sizes than the export's.
 * Needs Debian's /usr/bin/python3 with python3-torch, python3-onnx, python3-numpy; fails loudly without.
 */
class LoadEstimatorTrainerTest {

    private static final Path TRAINING = Path.of("training").toAbsolutePath();
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void everyModelKindExportsAModelTheProxyLoadsAndOnnxRuntimeAgreesWithPyTorch(@TempDir Path dir) throws Exception {
        run(List.of(PYTHON, "-m", "tests.synthetic_load", dir.resolve("data").toString()));
        run(List.of(PYTHON, "-m", "fulcrum_training", "train-load", "--data", dir.resolve("data").toString(), "--epochs", "3",
                "--window", "6", "--out-dir", dir.resolve("models").toString(), "--version", "fresh"));
        for (String kind : List.of("dense", "rnn", "lstm", "gru")) {
            Path model = dir.resolve("models").resolve(kind + ".onnx");
            JsonNode check = new ObjectMapper().readTree(dir.resolve("models").resolve(kind + ".onnx.check.json").toFile());
            try (LoadedModel loaded = ModelLoader.load(model, ModelKind.LOAD_ESTIMATOR)) {
                assertThat(loaded.version()).isEqualTo("fresh");
                LoadEstimator estimator = LoadEstimator.compile(loaded);
                assertThat(estimator.window()).isEqualTo(6);
                assertThat(estimator.columns()).as("NaN and constant columns left out").hasSize(100 - 2);
                JsonNode windows = check.get("input");
                for (int batch : new int[] {1, 5, windows.size()}) {
                    float[] input = new float[batch * 6 * estimator.columns().length];
                    int at = 0;
                    for (int n = 0; n < batch; n++) {
                        for (JsonNode tick : windows.get(n)) {
                            for (JsonNode value : tick) {
                                input[at++] = value.floatValue();
                            }
                        }
                    }
                    float[] loads = estimator.estimate(input, batch);
                    for (int n = 0; n < batch; n++) {
                        assertThat((double) loads[n]).as("%s, batch %d, window %d", kind, batch, n)
                                .isCloseTo(check.get("output").get(n).get(0).doubleValue(), within(1e-4));
                    }
                }
            }
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: install python3, python3-torch, python3-onnx, python3-numpy");
        }
        Process process = new ProcessBuilder(command).directory(TRAINING.toFile()).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        assertThat(process.exitValue()).as("%s:%n%s", command, new String(out, StandardCharsets.UTF_8)).isZero();
    }
}
