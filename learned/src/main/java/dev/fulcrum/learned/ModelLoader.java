package dev.fulcrum.learned;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Loads a model file and checks it against its kind's contract (ARCHITECTURE.md, "Models"):
 * that it is ONNX, its {@code fulcrum.kind} and {@code fulcrum.schema}, its one input and one
 * output (names, float32, shapes), its kind parameters, and a golden run: the
 * {@code fulcrum.goldenInput} rows must give finite numbers equal (within {@link #GOLDEN_TOLERANCE})
 * to {@code fulcrum.goldenOutput}, the trainer's own outputs. Any failure throws
 * {@link ModelRejectedException} naming the file and the problem; nothing is half-loaded.
 * Called off the data plane only.
 */
public final class ModelLoader {

    /** Absolute difference allowed between ONNX Runtime and the trainer on the golden rows (float32 arithmetic). */
    static final double GOLDEN_TOLERANCE = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelLoader() {
    }

    public static LoadedModel load(Path file, ModelKind expected) throws ModelRejectedException {
        return load(file, expected, nanos -> { });
    }

    public static LoadedModel load(Path file, ModelKind expected, LongConsumer inferenceNanos) throws ModelRejectedException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelRejectedException(file, "cannot read (" + e + ")", e);
        }
        OrtSession session;
        try (OrtSession.SessionOptions options = OnnxRuntimes.sessionOptions()) {
            session = OnnxRuntimes.environment().createSession(bytes, options);
        } catch (OrtException e) {
            throw new ModelRejectedException(file, "not a valid ONNX model (ONNX Runtime: " + e.getMessage() + ")", e);
        }
        try {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            checkMetadata(file, expected, metadata);
            checkSignature(file, expected, metadata, session);
            LoadedModel model = new LoadedModel(file, expected, sha256(bytes), metadata, session, inferenceNanos);
            checkGolden(file, model, metadata);
            return model;
        } catch (ModelRejectedException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            throw new ModelRejectedException(file, "cannot be run (" + (e instanceof OrtException ? e.getMessage() : e.toString()) + ")", e);
        }
    }

    private static void checkMetadata(Path file, ModelKind expected, Map<String, String> metadata) throws ModelRejectedException {
        // ONNX Runtime reads keys and values as C strings: a NUL byte, or a field missing, comes back
        // empty or null (found by the model-file fuzz: a NUL in a key once failed the load with an NPE).
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getKey() == null || entry.getKey().isEmpty() || entry.getValue() == null) {
                throw new ModelRejectedException(file, "metadata entry " + (entry.getKey() == null || entry.getKey().isEmpty()
                        ? "with no key (value: " + abbreviate(String.valueOf(entry.getValue())) + ")" : entry.getKey() + ": no value")
                        + " (expected: every entry a key and a value)");
            }
        }
        String kind = metadata.get("fulcrum.kind");
        if (kind == null) {
            throw new ModelRejectedException(file, "fulcrum.kind: absent (expected: " + expected.label() + ")");
        }
        if (!kind.equals(expected.label())) {
            throw new ModelRejectedException(file, "fulcrum.kind: " + kind + " (expected: " + expected.label() + ")");
        }
        String schema = metadata.get("fulcrum.schema");
        if (!ModelKind.SCHEMA.equals(schema)) {
            throw new ModelRejectedException(file, "fulcrum.schema: " + (schema == null ? "absent" : schema)
                    + " (expected: " + ModelKind.SCHEMA + ")");
        }
        for (String parameter : expected.parameters()) {
            if (metadata.get(parameter) == null || metadata.get(parameter).isBlank()) {
                throw new ModelRejectedException(file, parameter + ": absent (expected: a value for a " + expected.label() + " model)");
            }
        }
        for (String golden : List.of("fulcrum.goldenInput", "fulcrum.goldenOutput")) {
            if (metadata.get(golden) == null) {
                throw new ModelRejectedException(file, golden + ": absent (expected: JSON rows the loader runs the model on)");
            }
        }
    }

    private static void checkSignature(Path file, ModelKind kind, Map<String, String> metadata, OrtSession session)
            throws OrtException, ModelRejectedException {
        checkOne(file, "input", session.getInputInfo(), kind.input(), dims(file, kind.inputDims(), metadata));
        checkOne(file, "output", session.getOutputInfo(), kind.output(), dims(file, kind.outputDims(), metadata));
    }

    private static long[] dims(Path file, List<String> after, Map<String, String> metadata) throws ModelRejectedException {
        long[] dims = new long[after.size() + 1];
        dims[0] = -1;
        for (int i = 0; i < after.size(); i++) {
            String dim = after.get(i);
            String value = dim.startsWith("fulcrum.") ? metadata.get(dim) : dim;
            try {
                dims[i + 1] = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new ModelRejectedException(file, dim + ": " + value + " (expected: a positive integer)");
            }
            if (dims[i + 1] < 1) {
                throw new ModelRejectedException(file, dim + ": " + value + " (expected: a positive integer)");
            }
        }
        return dims;
    }

    private static void checkOne(Path file, String what, Map<String, NodeInfo> nodes, String name, long[] dims)
            throws ModelRejectedException {
        String expected = name + " float32 " + shape(dims);
        if (nodes.size() != 1 || !nodes.containsKey(name)) {
            List<String> found = new ArrayList<>();
            for (NodeInfo node : nodes.values()) {
                found.add(node.getName() + (node.getInfo() instanceof TensorInfo t ? " " + shape(t.getShape()) : ""));
            }
            throw new ModelRejectedException(file, what + ": " + found + " (expected: one, " + expected + ")");
        }
        if (!(nodes.get(name).getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
            throw new ModelRejectedException(file, what + " " + name + ": " + nodes.get(name).getInfo() + " (expected: " + expected + ")");
        }
        long[] found = tensor.getShape();
        boolean ok = found.length == dims.length;
        for (int i = 1; ok && i < dims.length; i++) {
            ok = found[i] == dims[i];
        }
        if (!ok) {
            throw new ModelRejectedException(file, what + " " + name + ": shape " + shape(found) + " (expected: " + shape(dims) + ")");
        }
    }

    private static String shape(long[] dims) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            text.append(i == 0 ? "" : ", ").append(dims[i] < 0 ? (i == 0 ? "N" : "?") : Long.toString(dims[i]));
        }
        return text.append(']').toString();
    }

    private static void checkGolden(Path file, LoadedModel model, Map<String, String> metadata)
            throws ModelRejectedException, OrtException {
        Rows input = rows(file, "fulcrum.goldenInput", metadata.get("fulcrum.goldenInput"));
        Rows expected = rows(file, "fulcrum.goldenOutput", metadata.get("fulcrum.goldenOutput"));
        float[] output = model.run(input.values, input.shape);
        for (int i = 0; i < output.length; i++) {
            if (!Float.isFinite(output[i])) {
                throw new ModelRejectedException(file, "golden input row " + i / Math.max(1, output.length / input.shape[0])
                        + " gave " + output[i] + " (expected: finite numbers)");
            }
        }
        if (model.kind() == ModelKind.LEARNED_HASH) {
            for (int i = 0; i < output.length; i++) {
                if (output[i] < 0 || output[i] >= 1) {
                    throw new ModelRejectedException(file, "golden input row " + i + " gave position " + output[i] + " (expected: in [0, 1))");
                }
            }
        }
        if (expected.values.length != output.length) {
            throw new ModelRejectedException(file, "fulcrum.goldenOutput: " + expected.values.length
                    + " numbers (expected: " + output.length + ", what the model gave for fulcrum.goldenInput)");
        }
        for (int i = 0; i < output.length; i++) {
            if (!(Math.abs(output[i] - expected.values[i]) <= GOLDEN_TOLERANCE)) {
                throw new ModelRejectedException(file, "golden output " + i + ": ONNX Runtime gave " + output[i]
                        + ", the trainer recorded " + expected.values[i] + " (expected: within " + GOLDEN_TOLERANCE + ")");
            }
        }
    }

    private record Rows(float[] values, long[] shape) {
    }

    /** Nested JSON arrays of numbers, as row-major floats with their shape. */
    private static Rows rows(Path file, String key, String text) throws ModelRejectedException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new ModelRejectedException(file, key + ": not JSON (" + e.getMessage() + ")");
        }
        List<Long> shape = new ArrayList<>();
        for (JsonNode level = node; level.isArray(); level = level.size() > 0 ? level.get(0) : null) {
            shape.add((long) level.size());
            if (level.size() == 0) {
                break;
            }
        }
        if (shape.size() < 2 || shape.get(0) == 0) {
            throw new ModelRejectedException(file, key + ": " + abbreviate(text) + " (expected: a non-empty array of rows)");
        }
        List<Float> values = new ArrayList<>();
        flatten(file, key, node, 0, shape, values);
        float[] flat = new float[values.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = values.get(i);
        }
        return new Rows(flat, shape.stream().mapToLong(Long::longValue).toArray());
    }

    private static void flatten(Path file, String key, JsonNode node, int depth, List<Long> shape, List<Float> out)
            throws ModelRejectedException {
        if (depth == shape.size()) {
            if (!node.isNumber()) {
                throw new ModelRejectedException(file, key + ": " + node + " (expected: a number)");
            }
            out.add(node.floatValue());
            return;
        }
        if (!node.isArray() || node.size() != shape.get(depth)) {
            throw new ModelRejectedException(file, key + ": ragged at depth " + depth + " (expected: every row of shape " + shape + ")");
        }
        for (JsonNode child : node) {
            flatten(file, key, child, depth + 1, shape, out);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing to recover
        }
    }

    static String describe(long[] dims) {
        return Arrays.toString(dims);
    }
}
