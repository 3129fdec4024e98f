package dev.fulcrum.metrics.feature;

import java.util.Arrays;
import java.util.List;

/**
 * Reduces one channel of one backend, sampled on several event loops, to its {@link ChannelSummary}
 * each tick, and keeps the channel's moving averages. Owned by the control thread.
 *
 * <p>Each event loop's reservoir holds a uniform sample of what that loop saw; loops see different
 * amounts, so a kept value stands for {@code seen / size} values of its loop. The mean, standard
 * deviation and p90 are computed with those weights: exact when no reservoir overflowed.
 */
public final class ChannelReducer {

    private final double decay;
    private double emaMean = Double.NaN;
    private double emaP90 = Double.NaN;

    /** @param decay weight of the past in the moving averages, in (0, 1); Aquarius-style default 0.9 */
    public ChannelReducer(double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("decay: " + decay + " (expected: > 0 and < 1)");
        }
        this.decay = decay;
    }

    public ChannelSummary reduce(List<Reservoir> loops) {
        long count = 0;
        int kept = 0;
        for (Reservoir reservoir : loops) {
            count += reservoir.seen();
            kept += reservoir.size();
        }
        if (kept == 0) {
            return new ChannelSummary(0, 0, 0, 0, orZero(emaMean), orZero(emaP90));
        }
        double[] values = new double[kept];
        double[] weights = new double[kept];
        int i = 0;
        for (Reservoir reservoir : loops) {
            double weight = (double) reservoir.seen() / Math.max(1, reservoir.size());
            for (int j = 0; j < reservoir.size(); j++, i++) {
                values[i] = reservoir.value(j);
                weights[i] = weight;
            }
        }
        double totalWeight = 0;
        double sum = 0;
        for (int k = 0; k < kept; k++) {
            totalWeight += weights[k];
            sum += weights[k] * values[k];
        }
        double mean = sum / totalWeight;
        double squares = 0;
        for (int k = 0; k < kept; k++) {
            squares += weights[k] * (values[k] - mean) * (values[k] - mean);
        }
        double std = Math.sqrt(squares / totalWeight);
        double p90 = weightedPercentile(values, weights, totalWeight, 0.9);
        emaMean = Double.isNaN(emaMean) ? mean : decay * emaMean + (1 - decay) * mean;
        emaP90 = Double.isNaN(emaP90) ? p90 : decay * emaP90 + (1 - decay) * p90;
        return new ChannelSummary(count, mean, p90, std, emaMean, emaP90);
    }

    /** The smallest value whose cumulative weight reaches {@code q} of the total (the nearest-rank rule). */
    static double weightedPercentile(double[] values, double[] weights, double totalWeight, double q) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double target = q * totalWeight;
        double cumulative = 0;
        for (Integer index : order) {
            cumulative += weights[index];
            if (cumulative >= target - 1e-9 * totalWeight) {
                return values[index];
            }
        }
        return values[order[order.length - 1]];
    }

    private static double orZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }
}
