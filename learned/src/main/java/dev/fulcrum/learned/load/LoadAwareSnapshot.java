package dev.fulcrum.learned.load;

/**
 * One tick's result, immutable once published: each backend's predicted load, capacity averages
 * ({@code mapping: capacity}; null for {@code inverse-load}) and weight, by backend index of the
 * policy's set. Event loops read it through one volatile field.
 */
record LoadAwareSnapshot(String modelVersion, float[] predictedLoads, CapacityMapping.Averages averages, double[] weights) {
}
