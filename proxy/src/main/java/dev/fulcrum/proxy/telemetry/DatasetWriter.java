package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.config.TelemetryConfig.DatasetConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * The dataset: a CSV row per backend per tick with every feature of schema v1 and a
 * {@code ground_truth} column (empty without a URL for the backend or when its fetch failed); with
 * {@code transitions}, the q-network pools' transitions beside it as NDJSON (one line per tick and
 * backend that took flows, the lines {@code /api/stream?lines=transitions} carries).
 * Written and flushed on the control thread, never on an event loop.
 */
final class DatasetWriter implements AutoCloseable {

    static final String GROUND_TRUTH = "ground_truth";

    private final BufferedWriter out;
    private final BufferedWriter transitions;
    private final GroundTruthProbe groundTruth;
    private long rows;
    private long transitionLines;

    DatasetWriter(DatasetConfig config, MeterRegistry registry) {
        try {
            if (config.path().toAbsolutePath().getParent() != null) {
                Files.createDirectories(config.path().toAbsolutePath().getParent());
            }
            out = Files.newBufferedWriter(config.path(), StandardCharsets.UTF_8);
            out.write(FeatureLines.csvHeader(List.of(GROUND_TRUTH)));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("telemetry.dataset.path: cannot write " + config.path() + ": " + e.getMessage(), e);
        }
        transitions = config.transitions() == null ? null : openTransitions(config);
        groundTruth = new GroundTruthProbe(config.groundTruth(), config.field(), config.timeout(), registry);
    }

    void write(List<FeatureVector> vectors) throws IOException {
        for (FeatureVector vector : vectors) {
            out.write(FeatureLines.csvRow(vector, groundTruth.take(vector.pool(), vector.backend())));
            rows++;
        }
        out.flush();
    }

    private BufferedWriter openTransitions(DatasetConfig config) {
        try {
            if (config.transitions().toAbsolutePath().getParent() != null) {
                Files.createDirectories(config.transitions().toAbsolutePath().getParent());
            }
            return Files.newBufferedWriter(config.transitions(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the first error is the one to report
            }
            throw new UncheckedIOException("telemetry.dataset.transitions: cannot write " + config.transitions() + ": " + e.getMessage(), e);
        }
    }

    /** Whether transitions are written (a transitions file is configured). */
    boolean writesTransitions() {
        return transitions != null;
    }

    /** A tick's q-network transitions, NDJSON lines as the stream carries them; flushed. */
    void writeTransitions(List<String> lines) throws IOException {
        for (String line : lines) {
            transitions.write(line);
            transitionLines++;
        }
        transitions.flush();
    }

    long rows() {
        return rows;
    }

    long transitionLines() {
        return transitionLines;
    }

    long groundTruthFailures(String pool, String backend) {
        return groundTruth.failures(pool, backend);
    }

    @Override
    public void close() throws IOException {
        groundTruth.close();
        out.close();
        if (transitions != null) {
            transitions.close();
        }
    }
}
