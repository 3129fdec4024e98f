package dev.fulcrum.proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code telemetry} section (see docs/telemetry.md).
 *
 * @param tick          how often the control thread aggregates telemetry and refreshes policies; default 250 ms
 * @param enabled       whether flows are measured (per-flow records, features, histograms, stream, dataset);
 *                      {@code false} leaves the plain counters only, to measure telemetry's overhead
 * @param reservoirSize values kept per sampled channel, event loop, backend and tick (default 128)
 * @param emaDecay      weight of the past in the channels' moving averages, in (0, 1) (default 0.9)
 * @param stream        bounds of {@code GET /api/stream} clients
 * @param dataset       the CSV dataset to write, or {@code null} for none
 */
public record TelemetryConfig(Duration tick, boolean enabled, int reservoirSize, double emaDecay, StreamConfig stream,
        DatasetConfig dataset) {

    public static final TelemetryConfig DEFAULT = new TelemetryConfig(Duration.ofMillis(250));

    /** The defaults with another tick. */
    public TelemetryConfig(Duration tick) {
        this(tick, true, 128, 0.9, StreamConfig.DEFAULT, null);
    }

    public TelemetryConfig withDataset(DatasetConfig dataset) {
        return new TelemetryConfig(tick, enabled, reservoirSize, emaDecay, stream, dataset);
    }

    public TelemetryConfig withEnabled(boolean enabled) {
        return new TelemetryConfig(tick, enabled, reservoirSize, emaDecay, stream, dataset);
    }

    public TelemetryConfig withStream(StreamConfig stream) {
        return new TelemetryConfig(tick, enabled, reservoirSize, emaDecay, stream, dataset);
    }

    /**
     * A stream client is dropped when more than {@code maxPendingBytes} wait to be written to it, or
     * when its connection has stayed unwritable for {@code maxUnwritableTicks} ticks.
     */
    public record StreamConfig(int maxPendingBytes, int maxUnwritableTicks) {
        public static final StreamConfig DEFAULT = new StreamConfig(4 * 1024 * 1024, 40);
    }

    /**
     * @param path        the CSV file written (replaced at start)
     * @param groundTruth per backend ({@code pool/backend}), a URL answering a number or a JSON object
     * @param field       the JSON field holding the number, or {@code null} when the body is the number
     * @param timeout     of each ground-truth fetch
     * @param transitions the NDJSON file the q-network pools' transitions are written to (replaced at
     *                    start), or {@code null} for none
     */
    public record DatasetConfig(Path path, Map<String, String> groundTruth, String field, Duration timeout, Path transitions) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

        public DatasetConfig {
            groundTruth = Map.copyOf(groundTruth);
        }

        /** Without a transitions file. */
        public DatasetConfig(Path path, Map<String, String> groundTruth, String field, Duration timeout) {
            this(path, groundTruth, field, timeout, null);
        }

        public DatasetConfig withTransitions(Path transitions) {
            return new DatasetConfig(path, groundTruth, field, timeout, transitions);
        }

        public static DatasetConfig to(Path path) {
            return new DatasetConfig(path, Map.of(), null, DEFAULT_TIMEOUT);
        }
    }
}
