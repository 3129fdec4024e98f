package dev.fulcrum.balancing.rendezvous;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashRing;
import dev.fulcrum.balancing.hashing.SplitMix64;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Weighted rendezvous (highest random weight) hashing, logarithmic method (Schindelhauer and
 * Schomaker, "Weighted Distributed Hash Tables", SPAA 2005; Resch, "New Hashing Algorithms for
 * Data Storage", 2015): every backend scores a key {@code -w / ln(u)}, {@code u} the hash of key and
 * backend mapped into (0, 1), and the highest score wins. {@code -ln(u) / w} is exponential with
 * rate {@code w}, so a backend wins with probability exactly {@code w / total weight}.
 *
 * <p>No table: O(backends) mixes (and logarithms, when weights differ) per pick, so it suits pools
 * of tens to a few hundred backends (see docs/balancing-benchmarks.md). In exchange it is the most consistent of the
 * hashing policies: adding or removing a backend moves exactly the keys it wins or loses, whatever
 * its place in the set, and a change of one backend's weight moves keys only to or from it.
 *
 * <p>A key's preference sequence is its backends by falling score; the next choice is the backend
 * the key would go to if its own were removed. Ties (equal scores, a 2^-53 event) go to the lower
 * index.
 */
final class WeightedRendezvous implements HashRing {

    private final BackendSet backends;
    private final BackendState[] states;
    private final long[] seeds;
    private final double[] weights;
    private final boolean equalWeights;

    WeightedRendezvous(BackendSet backends, HashFunction hash) {
        this.backends = backends;
        int n = backends.size();
        this.states = backends.states().toArray(new BackendState[0]);
        this.seeds = new long[n];
        this.weights = new double[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = hash.hashBytes(states[i].backend().name().getBytes(StandardCharsets.UTF_8));
            weights[i] = states[i].weight();
        }
        this.equalWeights = Arrays.stream(weights).distinct().count() <= 1;
    }

    /**
     * Backend {@code i}'s score for the key. The key (mixed by the configured hash) and the backend's
     * seed (the configured hash of its name) are combined by SplitMix64's finaliser: two multiplies,
     * inlined, where a call of the configured function per backend would double the cost of an O(N)
     * pick. With equal weights {@code -w / ln(u)} orders backends as {@code u} does, so the
     * logarithm is skipped; mixing equal and unequal weights later keeps every key's order among
     * the equal ones.
     */
    double score(long key, int i) {
        long h = SplitMix64.mix(key ^ seeds[i]);
        double u = ((h >>> 11) + 0.5) * 0x1.0p-53; // the top 53 bits, centred: never 0, never 1
        return equalWeights ? u : -weights[i] / Math.log(u);
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    @Override
    public int first(long key) {
        int best = 0;
        double bestScore = score(key, 0);
        for (int i = 1; i < states.length; i++) {
            double s = score(key, i);
            if (s > bestScore) {
                best = i;
                bestScore = s;
            }
        }
        return best;
    }

    @Override
    public int next(long key, int cursor) {
        // The best of the backends ranked after the cursor's: a lower score, or an equal one at a higher index.
        double previous = score(key, cursor);
        int best = -1;
        double bestScore = 0;
        for (int i = 0; i < states.length; i++) {
            double s = score(key, i);
            boolean after = s < previous || (s == previous && i > cursor);
            if (after && (best < 0 || s > bestScore)) {
                best = i;
                bestScore = s;
            }
        }
        return best >= 0 ? best : first(key);
    }

    @Override
    public BackendState at(long key, int cursor) {
        return states[cursor];
    }

    @Override
    public int period() {
        return states.length;
    }
}
