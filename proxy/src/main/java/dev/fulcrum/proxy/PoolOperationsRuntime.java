package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.OutlierDetection;
import dev.fulcrum.balancing.SlowStart;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.config.PoolOperations;

/**
 * Turns a pool's {@link PoolOperations} settings into the balancing objects its backends share:
 * one {@link OutlierDetection} and one {@link SlowStart} per pool, set on every {@link BackendState}
 * (off the data plane, when the pool is built or rebuilt).
 */
final class PoolOperationsRuntime {

    private PoolOperationsRuntime() {
    }

    /**
     * Sets the pool's ejection and slow-start settings on its backends ({@code null} when off). A
     * reload that carries states over calls it again with the new set; it should then call
     * {@link BackendState#startSlowStart()} on the backends the reload added.
     */
    static void apply(PoolConfig config, BackendSet backends) {
        PoolOperations operations = config.operations();
        OutlierDetection detection = null;
        if (operations.outlierDetection() != null) {
            PoolOperations.OutlierDetectionConfig o = operations.outlierDetection();
            detection = new OutlierDetection(o.consecutiveFailures(), o.baseEjectionTime().toNanos(),
                    o.maxEjectionTime().toNanos(), o.maxEjectionPercent(), backends.size(), System::nanoTime);
        }
        SlowStart slowStart = null;
        if (operations.slowStart() != null) {
            PoolOperations.SlowStartConfig s = operations.slowStart();
            slowStart = new SlowStart(s.window().toNanos(), s.aggression(), s.minWeightPercent() / 100.0, System::nanoTime);
        }
        for (BackendState state : backends.states()) {
            state.setOutlierDetection(detection);
            state.setSlowStart(slowStart);
        }
    }
}
