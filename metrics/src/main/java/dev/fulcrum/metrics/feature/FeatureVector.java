package dev.fulcrum.metrics.feature;

/**
 * One backend's features for one tick, in {@link FeatureSchema} order. NaN marks a feature the
 * transport cannot measure (TCP_INFO under NIO). The array is not copied: treat it as read-only.
 *
 * @param timestampMillis wall-clock time of the tick, milliseconds since the epoch
 * @param tickMillis      the tick's length, so counters can be turned into rates
 */
public record FeatureVector(int schemaVersion, long timestampMillis, long tickMillis, String pool, String backend, double[] values) {

    public double value(String column) {
        int index = FeatureSchema.columns().indexOf(column);
        if (index < 0) {
            throw new IllegalArgumentException("column: " + column + " (expected one of schema v" + FeatureSchema.VERSION + ")");
        }
        return values[index];
    }
}
