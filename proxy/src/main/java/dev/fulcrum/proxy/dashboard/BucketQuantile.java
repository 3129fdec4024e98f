package dev.fulcrum.proxy.dashboard;

/**
 * A quantile estimated from fixed histogram buckets the way Prometheus's {@code histogram_quantile}
 * does: find the bucket holding the rank, interpolate linearly inside it (from 0 for the first
 * bucket). A rank past the last finite bucket answers that bucket's bound. The estimate is only as
 * fine as the buckets (Fulcrum's are 100 us to 60 s, about 2.5x apart).
 */
final class BucketQuantile {

    private BucketQuantile() {
    }

    /**
     * @param bounds     the buckets' upper bounds, ascending
     * @param cumulative values at or below each bound (over the same window as {@code total})
     * @param total      every value, including those above the last bound
     * @return the estimate, or NaN when there is no value
     */
    static double estimate(double q, double[] bounds, double[] cumulative, double total) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0 to 1)");
        }
        if (bounds.length != cumulative.length) {
            throw new IllegalArgumentException("cumulative: " + cumulative.length + " counts (expected: one per bound, " + bounds.length + ")");
        }
        if (total <= 0 || bounds.length == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double below = 0;
        double lower = 0;
        for (int i = 0; i < bounds.length; i++) {
            double count = cumulative[i];
            if (count >= rank && count > below) {
                return lower + (bounds[i] - lower) * (rank - below) / (count - below);
            }
            below = Math.max(below, count);
            lower = bounds[i];
        }
        return bounds[bounds.length - 1];
    }
}
