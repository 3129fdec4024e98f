package dev.fulcrum.learned.experiment;

import dev.fulcrum.balancing.experiment.BinLoads;
import dev.fulcrum.learned.hash.LearnedHashRing;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Two mappings no proxy has, measured beside the learned hash in setting 2 so that its result can be
 * read: what part of its bin-load spread is the data's and what part is the model's.
 *
 * <ul>
 *   <li>{@link #trainingCdf}: the exact CDF of the training sample with the DLB labelling (Algorithm
 *       1; a key seen c times sits at the middle of its c labels), that is, a model that fits its
 *       training labels with no error. A learned hash trained on that sample cannot do better on a
 *       fresh sample except by luck; the distance of the model above it is its fit error.</li>
 *   <li>{@link #trueFrequencies}: the same with the population's true request frequencies, as if the
 *       training sample were infinite. What is left is the fresh test sample's own multinomial
 *       noise, about sqrt(m / n) per bin, and keys too heavy to be cut at a bin edge.</li>
 * </ul>
 * Both place keys on the learned hash's ring ({@link LearnedHashRing}, evenly spread), so the only
 * difference from the learned hash is the position function.
 */
final class ReferenceMappings {

    private ReferenceMappings() {
    }

    /** Bin loads of {@code requests} when each key sits at its label in the training sample's CDF. */
    static BinLoads trainingCdf(double[] distinctKeys, long[] counts, double[] requests, int bins) {
        double[] keys = distinctKeys.clone();
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(distinctKeys[a], distinctKeys[b]));
        long[] sortedCounts = new long[keys.length];
        for (int i = 0; i < order.length; i++) {
            keys[i] = distinctKeys[order[i]];
            sortedCounts[i] = counts[order[i]];
        }
        double[] labels = middleLabels(sortedCounts);
        LearnedHashRing ring = ring(bins);
        long[] loads = new long[bins];
        for (double key : requests) {
            loads[bin(ring, interpolate(keys, labels, key))]++;
        }
        return new BinLoads(loads);
    }

    /** Bin loads of {@code requests} when each population key sits at the middle of its true frequency. */
    static BinLoads trueFrequencies(double[] population, double[] cumulative, double[] requests, int bins) {
        Integer[] order = new Integer[population.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(population[a], population[b]));
        Map<Double, Double> position = new HashMap<>();
        double below = 0;
        for (int rank : order) {
            double p = cumulative[rank] - (rank == 0 ? 0 : cumulative[rank - 1]);
            position.put(population[rank], below + p / 2);
            below += p;
        }
        LearnedHashRing ring = ring(bins);
        long[] loads = new long[bins];
        for (double key : requests) {
            loads[bin(ring, position.get(key) / below)]++;
        }
        return new BinLoads(loads);
    }

    /** Algorithm 1's labels for sorted distinct keys seen {@code counts} times: the middle of each key's run, over the total. */
    static double[] middleLabels(long[] counts) {
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] labels = new double[counts.length];
        double end = 0;
        for (int i = 0; i < counts.length; i++) {
            end += counts[i];
            labels[i] = (end - counts[i] / 2.0) / total;
        }
        return labels;
    }

    /** Linear interpolation between the labels of the sorted keys around {@code key}, clamped at both ends. */
    static double interpolate(double[] keys, double[] labels, double key) {
        int i = Arrays.binarySearch(keys, key);
        if (i >= 0) {
            return labels[i];
        }
        int above = -i - 1;
        if (above == 0) {
            return labels[0];
        }
        if (above == keys.length) {
            return labels[keys.length - 1];
        }
        double f = (key - keys[above - 1]) / (keys[above] - keys[above - 1]);
        return labels[above - 1] + f * (labels[above] - labels[above - 1]);
    }

    private static LearnedHashRing ring(int bins) {
        return LearnedHashRing.place(dev.fulcrum.balancing.BackendSet.of(LearnedHashExperiment.bins(bins)), null);
    }

    /** The index of the bin that owns {@code position}: bins are named bin-0000 upwards, in ring order. */
    private static int bin(LearnedHashRing ring, double position) {
        double clamped = Math.min(Math.max(position, 0.0), Math.nextDown(1.0));
        return ring.first((long) (clamped * LearnedHashRing.SCALE));
    }
}
