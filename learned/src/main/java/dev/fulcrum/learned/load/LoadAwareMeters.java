package dev.fulcrum.learned.load;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.metrics.MeterNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The load-aware policy's gauges, per pool and backend: {@code fulcrum.backend.predicted.load} (the
 * estimator's output, in its target's unit) and {@code fulcrum.backend.learned.weight} (the weight
 * it maps to, in [minWeight, 1]); NaN while the fallback picks. One cell per (pool, backend) for the
 * process, so a reload's new policy writes where the old one did and the gauges never go stale.
 * Registered in the model registry's meters, which the proxy binds to {@code /metrics}.
 */
final class LoadAwareMeters {

    static final String PREDICTED_LOAD = "fulcrum.backend.predicted.load";
    static final String LEARNED_WEIGHT = "fulcrum.backend.learned.weight";

    /** Written by the control thread, read by scrapes. */
    static final class Cell {
        volatile double predictedLoad = Double.NaN;
        volatile double weight = Double.NaN;
    }

    private static final Map<String, Cell> CELLS = new ConcurrentHashMap<>();

    private LoadAwareMeters() {
    }

    static Cell cell(String pool, String backend) {
        return CELLS.computeIfAbsent(pool + "\u0000" + backend, key -> register(pool, backend, ModelRegistry.global().meters()));
    }

    private static Cell register(String pool, String backend, MeterRegistry meters) {
        Cell cell = new Cell();
        Tags tags = Tags.of(MeterNames.TAG_POOL, pool, MeterNames.TAG_BACKEND, backend);
        Gauge.builder(PREDICTED_LOAD, cell, c -> c.predictedLoad).tags(tags)
                .description("The load estimator's prediction for the backend (NaN while the fallback picks)").register(meters);
        Gauge.builder(LEARNED_WEIGHT, cell, c -> c.weight).tags(tags)
                .description("The load-aware weight of the backend, in [minWeight, 1] (NaN while the fallback picks)").register(meters);
        return cell;
    }
}
