package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.Flow;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** What the pick benchmarks share: a loaded pool, a ring of flows to pick for, a policy. */
public final class PickFixture {

    /** Flows per benchmark, a power of two: enough distinct keys that branch predictors cannot learn them. */
    public static final int FLOWS = 4096;

    private PickFixture() {
    }

    public static Flow[] flows(long seed) {
        long[] keys = HashingProperties.keys(seed, FLOWS);
        Flow[] flows = new Flow[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            flows[i] = HashingProperties.flow(keys[i]);
        }
        return flows;
    }

    /**
     * N equal backends holding 0 to 199 active flows each (mean 100): with {@code boundedLoad: 1.25}
     * about a third are over the bound, so bounded picks walk as they would under skewed load.
     */
    public static BackendSet loadedBackends(int n, long seed) {
        return loaded(HashingProperties.uniform(n), seed);
    }

    /** N backends of weights 1, 2, ..., 10, 1, 2, ... loaded as {@link #loadedBackends}. */
    public static BackendSet loadedWeightedBackends(int n, long seed) {
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            weights[i] = 1 + i % 10;
        }
        return loaded(dev.fulcrum.balancing.TestBackends.backends(weights), seed);
    }

    private static BackendSet loaded(BackendSet set, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (BackendState state : set.states()) {
            for (int i = random.nextInt(200); i > 0; i--) {
                state.tryAcquire();
            }
        }
        return set;
    }

    /** Parameters with {@code boundedLoad} added unless it is {@code "none"}. */
    public static Map<String, Object> withBound(Map<String, Object> parameters, String boundedLoad) {
        Map<String, Object> all = new HashMap<>(parameters);
        if (!"none".equals(boundedLoad)) {
            all.put("boundedLoad", Double.parseDouble(boundedLoad));
        }
        return all;
    }
}
