package dev.fulcrum.balancing.experiment;

/**
 * How many keys each bin got, and the paper's balance metric: the standard deviation of bin loads,
 * {@code sqrt(sum((load_j - m/n)^2) / n)} for m keys over n bins (DLB, IV-A3).
 */
public record BinLoads(long[] loads) {

    public long total() {
        long total = 0;
        for (long load : loads) {
            total += load;
        }
        return total;
    }

    public double mean() {
        return (double) total() / loads.length;
    }

    public double std() {
        double mean = mean();
        double sum = 0;
        for (long load : loads) {
            sum += (load - mean) * (load - mean);
        }
        return Math.sqrt(sum / loads.length);
    }

    /** Heaviest bin over the mean: 1.0 is perfect balance. */
    public double maxOverMean() {
        long max = 0;
        for (long load : loads) {
            max = Math.max(max, load);
        }
        return max / mean();
    }
}
