package dev.fulcrum.learned.qnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python DQN/DDQN trainer (learned/training, {@code train-q}) on transitions in the proxy's
 * NDJSON format: the model it exports passes the loader's contract checks and the q-network
 * compiler, and ONNX Runtime reproduces PyTorch's Q-values on the check rows. Needs Debian's
 * /usr/bin/python3 with python3-torch, python3-onnx and python3-numpy; fails loudly without them.
 */
class QTrainerOnnxTest {

    static final Path TRAINING = Path.of("training").toAbsolutePath();
    static final String PYTHON = "/usr/bin/python3";

    @Test
    void onnxRuntimeReproducesPyTorchOnADoubleDqnTrainedFromTransitions(@TempDir Path dir) throws Exception {
        Path transitions = dir.resolve("transitions.ndjson");
        StringBuilder lines = new StringBuilder();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 300; i++) {
            int a = random.nextInt(3);
            int[] own = {random.nextInt(10), random.nextInt(10), random.nextInt(10)};
            lines.append("{\"state\":{\"own\":[").append(own[0]).append(',').append(own[1]).append(',').append(own[2])
                    .append("],\"others\":[0,0,0],\"present\":[1,1,1]},\"action\":").append(a)
                    .append(",\"reward\":").append(1 - own[a] / 10.0)
                    .append(",\"next\":{\"own\":[1,1,1],\"others\":[0,0,0],\"present\":[1,1,1]}}\n");
        }
        Files.writeString(transitions, lines);
        Path model = dir.resolve("q.onnx");
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: install python3, python3-torch, python3-onnx, python3-numpy");
        }
        Process process = new ProcessBuilder(List.of(PYTHON, "-m", "fulcrum_training", "train-q", "--transitions",
                transitions.toString(), "--out", model.toString(), "--actions", "4", "--flow-scale", "10", "--steps", "100",
                "--algorithm", "ddqn", "--version", "fresh-q")).directory(TRAINING.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("trainer:%n%s", output).isZero();

        JsonNode check = new ObjectMapper().readTree(dir.resolve("q.onnx.check.json").toFile());
        int rows = check.get("input").size();
        float[] input = new float[rows * 12];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 12; j++) {
                input[i * 12 + j] = check.get("input").get(i).get(j).floatValue();
            }
        }
        try (LoadedModel loaded = ModelLoader.load(model, ModelKind.Q_NETWORK)) {
            assertThat(loaded.version()).isEqualTo("fresh-q");
            QNetworkModel compiled = QNetworkModel.compile(loaded);
            assertThat(compiled.actionSlots()).isEqualTo(4);
            assertThat(compiled.schema().flowScale()).isEqualTo(10.0);
            float[] q = loaded.run(input, new long[] {rows, 12});
            for (int i = 0; i < rows * 4; i++) {
                assertThat((double) q[i]).as("q %d", i)
                        .isCloseTo(check.get("output").get(i / 4).get(i % 4).doubleValue(), within(1e-5));
            }
        }
    }
}
