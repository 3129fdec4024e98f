package dev.fulcrum.learned.load;

import java.util.Arrays;
import java.util.List;

/** The load-aware policy's {@code mapping}: how the estimator's output becomes weights (docs/load-aware.md). */
enum MappingKind {
    /** Weight proportional to the backend's capacity, active flows / predicted pressure ({@link CapacityMapping}). */
    CAPACITY("capacity"),
    /** Weight 1 / (predicted load + loadOffset) ({@link WeightMapping}). */
    INVERSE_LOAD("inverse-load");

    static final MappingKind DEFAULT = CAPACITY;

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
