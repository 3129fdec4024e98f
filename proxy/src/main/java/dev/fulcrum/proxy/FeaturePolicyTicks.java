package dev.fulcrum.proxy;

import dev.fulcrum.balancing.FeatureDrivenPolicy;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The control-thread task that hands each tick's features to the pools whose policy acts on them
 * ({@link FeatureDrivenPolicy}: the load-aware policy's estimator runs here, never on an event loop).
 * Runs after the telemetry task, so {@code vectors} are this tick's.
 */
final class FeaturePolicyTicks {

    private FeaturePolicyTicks() {
    }

    static void tick(Map<String, Pool> pools, List<FeatureVector> vectors) {
        for (Pool pool : pools.values()) {
            if (pool.policy() instanceof FeatureDrivenPolicy policy) {
                List<FeatureVector> mine = new ArrayList<>();
                for (FeatureVector vector : vectors) {
                    if (vector.pool().equals(pool.name())) {
                        mine.add(vector);
                    }
                }
                policy.onTick(mine);
            }
        }
    }
}
