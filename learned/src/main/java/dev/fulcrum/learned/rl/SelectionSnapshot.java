package dev.fulcrum.learned.rl;

import dev.fulcrum.balancing.random.AliasTable;
import java.util.Arrays;

/**
 * An immutable selection distribution over action slots, built on the control thread from
 * Q-values and read by every event loop: {@link #draw(long)} is O(1), lock-free and allocates
 * nothing, so the per-flow cost of the {@code q-network} policy is one draw and never an inference.
 */
public final class SelectionSnapshot {

    private final double[] probabilities;
    private final AliasTable table;
    private final long version;

    private SelectionSnapshot(double[] probabilities, long version) {
        this.probabilities = probabilities;
        this.table = AliasTable.ofProbabilities(probabilities);
        this.version = version;
    }

    /** Boltzmann over {@code q} at {@code temperature}; throws on NaN/inf Q-values or no present slot. */
    public static SelectionSnapshot fromQ(double[] q, boolean[] present, double temperature, long version) {
        return new SelectionSnapshot(BoltzmannDistribution.probabilities(q, present, temperature), version);
    }

    /** Uniform over the present slots: the distribution before any model answered (VLB). */
    public static SelectionSnapshot uniform(boolean[] present, long version) {
        return fromQ(new double[present.length], present, 1.0, version);
    }

    /** A slot drawn with its probability, from 64 uniformly random bits. */
    public int draw(long random) {
        return table.draw(random);
    }

    public int actionSlots() {
        return probabilities.length;
    }

    public double probability(int slot) {
        return probabilities[slot];
    }

    /** The probability the alias table actually draws {@code slot} with (quantised), for tests. */
    double tableProbability(int slot) {
        return table.probability(slot);
    }

    /** Incremented by the publisher at each accepted update. */
    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return "SelectionSnapshot{version=" + version + ", p=" + Arrays.toString(probabilities) + '}';
    }
}
