package dev.fulcrum.learned;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the trainer's own tests (unittest) and checks, with a model the trainer makes now, that ONNX
 * Runtime reproduces PyTorch's outputs. Needs Debian's /usr/bin/python3 with python3-torch,
 * python3-onnx and python3-numpy (./run-tests installs them); fails loudly without them.
 */
class PythonTrainerTest {

    static final Path TRAINING = Path.of("training").toAbsolutePath();
    static final String PYTHON = "/usr/bin/python3";

    @Test
    void theTrainersUnitTestsPass() throws Exception {
        Result result = run(List.of(PYTHON, "-m", "unittest", "discover", "-s", "tests", "-t", "."));
        assertThat(result.exit).as("trainer tests:%n%s", result.output).isZero();
        assertThat(result.output).contains("OK");
    }

    @Test
    void onnxRuntimeReproducesPyTorchOnAFreshlyTrainedModel(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.csv");
        StringBuilder csv = new StringBuilder("key\n");
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 5000; i++) {
            csv.append(Math.exp(random.nextGaussian())).append('\n');
        }
        Files.writeString(keys, csv);
        Path model = dir.resolve("fresh.onnx");
        Result result = run(List.of(PYTHON, "-m", "fulcrum_training", "train-hash", "--keys", keys.toString(), "--out",
                model.toString(), "--layers", "1,4", "--steps", "60", "--version", "fresh"));
        assertThat(result.exit).as("trainer:%n%s", result.output).isZero();

        JsonNode check = new ObjectMapper().readTree(dir.resolve("fresh.onnx.check.json").toFile());
        int rows = check.get("input").size();
        float[] input = new float[rows];
        for (int i = 0; i < rows; i++) {
            input[i] = check.get("input").get(i).get(0).floatValue();
        }
        try (LoadedModel loaded = ModelLoader.load(model, ModelKind.LEARNED_HASH)) {
            assertThat(loaded.version()).isEqualTo("fresh");
            float[] output = loaded.run(input, new long[] {rows, 1});
            for (int i = 0; i < rows; i++) {
                assertThat((double) output[i]).as("row %d", i)
                        .isCloseTo(check.get("output").get(i).get(0).doubleValue(), org.assertj.core.api.Assertions.within(1e-5));
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: install python3, python3-torch, python3-onnx, python3-numpy");
        }
        Process process = new ProcessBuilder(command).directory(TRAINING.toFile()).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
