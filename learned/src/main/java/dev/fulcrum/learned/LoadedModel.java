package dev.fulcrum.learned;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A model that passed {@link ModelLoader}'s checks: its session, kind, version, checksum and
 * metadata. Runs off the data plane only (control thread, model loader); {@link #run} is
 * synchronized because one session is shared by its callers and ONNX Runtime runs it on one thread.
 */
public final class LoadedModel implements AutoCloseable {

    private final Path file;
    private final ModelKind kind;
    private final String version;
    private final String checksum;
    private final Map<String, String> metadata;
    private final OrtSession session;
    private final LongConsumer inferenceNanos;

    LoadedModel(Path file, ModelKind kind, String checksum, Map<String, String> metadata, OrtSession session,
            LongConsumer inferenceNanos) {
        this.file = file;
        this.kind = kind;
        this.version = metadata.getOrDefault("fulcrum.version", "unversioned");
        this.checksum = checksum;
        this.metadata = Map.copyOf(metadata);
        this.session = session;
        this.inferenceNanos = inferenceNanos;
    }

    public Path file() {
        return file;
    }

    public ModelKind kind() {
        return kind;
    }

    /** {@code fulcrum.version}, or {@code unversioned}. */
    public String version() {
        return version;
    }

    /** SHA-256 of the file's bytes, in hex. */
    public String checksum() {
        return checksum;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** A metadata value the loader checked to be present. */
    public String parameter(String key) {
        return metadata.get(key);
    }

    /**
     * Runs the model on one batch: {@code input} holds {@code shape[0]} rows of the kind's input,
     * row-major; returns the output, row-major.
     */
    public synchronized float[] run(float[] input, long[] shape) throws OrtException {
        long started = System.nanoTime();
        try (OnnxTensor tensor = OnnxTensor.createTensor(OnnxRuntimes.environment(), FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of(kind.input(), tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        } finally {
            inferenceNanos.accept(System.nanoTime() - started);
        }
    }

    @Override
    public synchronized void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // Closing frees native memory; a failure here leaves nothing for us to do.
        }
    }

    @Override
    public String toString() {
        return kind.label() + " " + version + " (" + file + ", sha256 " + checksum.substring(0, 12) + ")";
    }
}
