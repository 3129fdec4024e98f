package dev.fulcrum.qos.sim;

/** Log-bucketed weighted histogram of latencies (1 us to 1000 s, 0.5% buckets) for percentiles. */
final class LatencyHistogram {

    private static final double MIN_MS = 1e-3;
    private static final double GROWTH = Math.log(1.005);
    private static final int BUCKETS = (int) Math.ceil(Math.log(1e6 / MIN_MS) / GROWTH) + 1;

    private final double[] weights = new double[BUCKETS];
    private double total;

    void record(double millis, double weight) {
        if (!(weight > 0)) {
            return;
        }
        int bucket = millis <= MIN_MS ? 0 : (int) Math.min(BUCKETS - 1, Math.floor(Math.log(millis / MIN_MS) / GROWTH));
        weights[bucket] += weight;
        total += weight;
    }

    double percentile(double p) {
        if (total == 0) {
            return Double.NaN;
        }
        double target = p * total;
        double seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += weights[b];
            if (seen >= target) {
                return MIN_MS * Math.exp((b + 0.5) * GROWTH);
            }
        }
        return MIN_MS * Math.exp(BUCKETS * GROWTH);
    }
}
