package dev.fulcrum.learned.load;

import java.util.Arrays;
import java.util.List;

/** The load-aware policy's {@code mapping}: how the estimator's output becomes weights (docs/load-aware.md). */
enum MappingKind {
    /** Weight proportional to the backend's capacity, active flows / predicted pressure ({@link CapacityMapping}). */
    CAPACITY("capacity"),
    /** Weight 1 / (predicted load + loadOffset) ({@link WeightMapping}). */
    INVERSE_LOAD("inverse-load");

    /**
     * Inverse-load: on the testbed (docs/aquarius-experiment.md) it was level with or better than least
     * connections, while capacity weights ran away at 80% of capacity (an over-estimated capacity draws
     * flows, and the estimate, lagging, rises with them).
     */
    static final MappingKind DEFAULT = INVERSE_LOAD;

    final String key;

    MappingKind(String key) {
        this.key = key;
    }

    static List<String> keys() {
        return Arrays.stream(values()).map(k -> k.key).toList();
    }

    /** The kind named {@code key}, or null. */
    static MappingKind of(Object key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst().orElse(null);
    }
}
