package dev.fulcrum.learned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelLoaderTest {

    @Test
    void loadsEachKindAndReportsVersionAndChecksum() throws Exception {
        try (LoadedModel hash = ModelLoader.load(Fixtures.model("learned-hash.onnx"), ModelKind.LEARNED_HASH);
                LoadedModel load = ModelLoader.load(Fixtures.model("load-estimator.onnx"), ModelKind.LOAD_ESTIMATOR);
                LoadedModel q = ModelLoader.load(Fixtures.model("q-network.onnx"), ModelKind.Q_NETWORK)) {
            assertThat(hash.version()).isEqualTo("v1");
            assertThat(hash.checksum()).hasSize(64).matches("[0-9a-f]+");
            assertThat(load.version()).isEqualTo("le1");
            assertThat(q.run(new float[] {1, 0, 0, 0, 0}, new long[] {1, 5})).hasSize(4);
        }
    }

    @Test
    void onnxRuntimeReproducesPyTorchOnTheTrainersCheckRows() throws Exception {
        Path file = Fixtures.model("learned-hash.onnx");
        JsonNode check = new ObjectMapper().readTree(file.resolveSibling("learned-hash.onnx.check.json").toFile());
        int rows = check.get("input").size();
        float[] input = new float[rows];
        for (int i = 0; i < rows; i++) {
            input[i] = check.get("input").get(i).get(0).floatValue();
        }
        try (LoadedModel model = ModelLoader.load(file, ModelKind.LEARNED_HASH)) {
            float[] output = model.run(input, new long[] {rows, 1});
            for (int i = 0; i < rows; i++) {
                assertThat((double) output[i]).as("row %d", i)
                        .isCloseTo(check.get("output").get(i).get(0).doubleValue(), org.assertj.core.api.Assertions.within(1e-5));
            }
        }
    }

    @Test
    void refusesEachBrokenFileNamingFileAndProblem() {
        assertRefused("not-onnx.onnx", ModelKind.LEARNED_HASH, "not a valid ONNX model");
        assertRefused("wrong-kind.onnx", ModelKind.LEARNED_HASH, "fulcrum.kind: load-estimator (expected: learned-hash)");
        assertRefused("no-kind.onnx", ModelKind.LEARNED_HASH, "fulcrum.kind: absent (expected: learned-hash)");
        assertRefused("wrong-schema.onnx", ModelKind.LEARNED_HASH, "fulcrum.schema: 99 (expected: 1)");
        assertRefused("wrong-names.onnx", ModelKind.LEARNED_HASH, "input: [x [N, 1]] (expected: one, key float32 [N, 1])");
        assertRefused("wrong-shape.onnx", ModelKind.LEARNED_HASH, "input key: shape [N, 2] (expected: [N, 1])");
        assertRefused("nan.onnx", ModelKind.LEARNED_HASH, "gave NaN (expected: finite numbers)");
        assertRefused("wrong-golden.onnx", ModelKind.LEARNED_HASH, "golden output 0: ONNX Runtime gave 0.0, the trainer recorded 0.5");
        assertRefused("learned-hash.onnx", ModelKind.Q_NETWORK, "fulcrum.kind: learned-hash (expected: q-network)");
    }

    @Test
    void refusesAMissingFile() {
        Path missing = Path.of("does-not-exist.onnx");
        assertThatThrownBy(() -> ModelLoader.load(missing, ModelKind.LEARNED_HASH))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageStartingWith(missing + ": cannot read");
    }

    private static void assertRefused(String fixture, ModelKind kind, String problem) {
        Path file = Fixtures.model(fixture);
        assertThatThrownBy(() -> ModelLoader.load(file, kind))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(problem);
    }
}
