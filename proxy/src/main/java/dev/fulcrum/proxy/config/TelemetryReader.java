package dev.fulcrum.proxy.config;

import dev.fulcrum.proxy.config.TelemetryConfig.DatasetConfig;
import dev.fulcrum.proxy.config.TelemetryConfig.StreamConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code telemetry} section:
 *
 * <pre>{@code
 * telemetry:
 *   tick: 250ms              # 10ms to 60s
 *   enabled: true            # false: no per-flow measurement (to measure its overhead)
 *   reservoirSize: 128       # values kept per channel, loop, backend and tick; 1 to 65536
 *   emaDecay: 0.9            # in (0, 1)
 *   stream: {maxPendingBytes: 4MiB, maxUnwritableTicks: 40}
 *   dataset:                 # optional: a CSV row per backend per tick
 *     path: features.csv
 *     format: csv
 *     groundTruth: {web/a: http://10.0.0.1:9100/load}   # pool/backend: URL answering a number
 *     groundTruthField: busy # the number is this field of a JSON object; absent: the body is the number
 *     groundTruthTimeout: 200ms
 *     transitions: q.ndjson  # optional: the q-network pools' transitions, NDJSON (docs/q-network.md)
 * }</pre>
 */
final class TelemetryReader {

    static final List<String> FIELDS = List.of("tick", "enabled", "reservoirSize", "emaDecay", "stream", "dataset");
    static final List<String> STREAM_FIELDS = List.of("maxPendingBytes", "maxUnwritableTicks");
    static final List<String> DATASET_FIELDS = List.of("path", "format", "groundTruth", "groundTruthField", "groundTruthTimeout",
            "transitions");
    // Not ConfigLoader's constants: ConfigLoader's own initialisation reads FIELDS from here.
    private static final Duration MIN_TICK = Duration.ofMillis(10);
    private static final Duration MAX_TICK = Duration.ofSeconds(60);

    private TelemetryReader() {
    }

    static TelemetryConfig read(Cursor telemetry) {
        TelemetryConfig defaults = TelemetryConfig.DEFAULT;
        telemetry.optionalMap("a map with " + String.join(", ", FIELDS));
        telemetry.rejectUnknownFields(FIELDS);
        // "60s" rather than the normal form "1m": a tick is thought of in seconds.
        Duration tick = telemetry.field("tick").duration(defaults.tick(), MIN_TICK, MAX_TICK,
                "a duration from " + ValueParsers.formatDuration(MIN_TICK) + " to " + MAX_TICK.toSeconds() + "s");
        boolean enabled = bool(telemetry.field("enabled"), defaults.enabled());
        int reservoirSize = telemetry.field("reservoirSize").integer(defaults.reservoirSize(), 1, 65536);
        double emaDecay = decay(telemetry.field("emaDecay"), defaults.emaDecay());
        StreamConfig stream = stream(telemetry.field("stream"));
        DatasetConfig dataset = dataset(telemetry.field("dataset"));
        return new TelemetryConfig(tick, enabled, reservoirSize, emaDecay, stream, dataset);
    }

    private static boolean bool(Cursor field, boolean defaultValue) {
        if (field.isAbsent()) {
            return defaultValue;
        }
        if (!field.node().isBoolean()) {
            field.expected("true or false");
            return defaultValue;
        }
        return field.node().booleanValue();
    }

    private static double decay(Cursor field, double defaultValue) {
        if (field.isAbsent()) {
            return defaultValue;
        }
        double value = field.node().isNumber() ? field.node().doubleValue() : Double.NaN;
        if (!(value > 0 && value < 1)) {
            field.expected("a number above 0 and below 1, e.g. 0.9");
            return defaultValue;
        }
        return value;
    }

    private static StreamConfig stream(Cursor stream) {
        StreamConfig defaults = StreamConfig.DEFAULT;
        stream.optionalMap("a map with " + String.join(", ", STREAM_FIELDS));
        stream.rejectUnknownFields(STREAM_FIELDS);
        return new StreamConfig(
                stream.field("maxPendingBytes").size(defaults.maxPendingBytes(), 1024, 1L << 30),
                stream.field("maxUnwritableTicks").integer(defaults.maxUnwritableTicks(), 1, 100_000));
    }

    private static DatasetConfig dataset(Cursor dataset) {
        if (dataset.isAbsent()) {
            return null;
        }
        if (!dataset.requiredMap("a map with path (and " + String.join(", ", DATASET_FIELDS.subList(1, DATASET_FIELDS.size())) + ")")) {
            return null;
        }
        dataset.rejectUnknownFields(DATASET_FIELDS);
        Cursor path = dataset.field("path");
        Path file = null;
        if (path.isAbsent() || !path.isText() || path.text().isBlank()) {
            path.expected("the path of the CSV file to write");
        } else {
            file = Path.of(path.text());
        }
        Cursor format = dataset.field("format");
        if (!format.isAbsent() && !(format.isText() && format.text().equals("csv"))) {
            format.expectedOneOf(List.of("csv"));
        }
        Map<String, String> urls = new LinkedHashMap<>();
        Cursor groundTruth = dataset.field("groundTruth");
        if (!groundTruth.isAbsent() && groundTruth.requiredMap("a map from pool/backend to an http:// URL")) {
            groundTruth.entries().forEach((key, url) -> {
                if (!key.contains("/")) {
                    url.report("key " + Cursor.quote(key) + " names no backend (expected: pool/backend)");
                } else if (!url.isText() || !isHttpUrl(url.text())) {
                    url.expected("an http:// URL answering a number or a JSON object");
                } else {
                    urls.put(key, url.text());
                }
            });
        }
        Cursor field = dataset.field("groundTruthField");
        String fieldName = null;
        if (!field.isAbsent()) {
            fieldName = field.isText() && !field.text().isBlank() ? field.text() : field.expected("a JSON field name");
        }
        Duration timeout = dataset.field("groundTruthTimeout").duration(DatasetConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1),
                Duration.ofSeconds(60), "a duration from 1ms to 60s");
        Cursor transitions = dataset.field("transitions");
        Path transitionsFile = null;
        if (!transitions.isAbsent()) {
            if (transitions.isText() && !transitions.text().isBlank()) {
                transitionsFile = Path.of(transitions.text());
            } else {
                transitions.expected("the path of the NDJSON file to write the q-network pools' transitions to");
            }
        }
        return file == null ? null : new DatasetConfig(file, urls, fieldName, timeout, transitionsFile);
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = URI.create(text);
            return "http".equals(uri.getScheme()) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
