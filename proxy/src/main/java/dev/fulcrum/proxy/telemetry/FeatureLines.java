package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.List;

/**
 * The two text forms of a {@link FeatureVector} (docs/telemetry.md): an NDJSON line for
 * {@code /api/stream} and a CSV row for the dataset. An absent value (NaN) is JSON {@code null} and
 * an empty CSV cell, both of which pandas reads as NaN.
 */
final class FeatureLines {

    private FeatureLines() {
    }

    /**
     * {@code {"schema":1,"timestamp":...,"tickMillis":250,"pool":"web","backend":"a","features":{"n_p":12,...}}}
     * and a newline.
     */
    static String json(FeatureVector vector) {
        StringBuilder b = new StringBuilder(64 + FeatureSchema.width() * 24);
        b.append("{\"schema\":").append(vector.schemaVersion())
                .append(",\"timestamp\":").append(vector.timestampMillis())
                .append(",\"tickMillis\":").append(vector.tickMillis())
                .append(",\"pool\":");
        string(b, vector.pool());
        b.append(",\"backend\":");
        string(b, vector.backend());
        b.append(",\"features\":{");
        List<String> columns = FeatureSchema.columns();
        double[] values = vector.values();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('"').append(columns.get(i)).append("\":");
            number(b, values[i], "null");
        }
        return b.append("}}\n").toString();
    }

    static String csvHeader(List<String> extraColumns) {
        StringBuilder b = new StringBuilder("schema,timestamp,tick_ms,pool,backend");
        for (String column : FeatureSchema.columns()) {
            b.append(',').append(column);
        }
        for (String column : extraColumns) {
            b.append(',').append(column);
        }
        return b.append('\n').toString();
    }

    /** A row; {@code extra} values follow the features (NaN: empty cell). */
    static String csvRow(FeatureVector vector, double... extra) {
        StringBuilder b = new StringBuilder(64 + FeatureSchema.width() * 16);
        b.append(vector.schemaVersion()).append(',').append(vector.timestampMillis()).append(',').append(vector.tickMillis())
                .append(',').append(vector.pool()).append(',').append(vector.backend());
        for (double value : vector.values()) {
            number(b.append(','), value, "");
        }
        for (double value : extra) {
            number(b.append(','), value, "");
        }
        return b.append('\n').toString();
    }

    private static void number(StringBuilder b, double value, String absent) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            b.append(absent);
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            b.append((long) value);
        } else {
            b.append(value);
        }
    }

    /** Names are letters, digits and {@code _ . : -} (the config loader checks), so only quotes need care. */
    private static void string(StringBuilder b, String text) {
        b.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
}
