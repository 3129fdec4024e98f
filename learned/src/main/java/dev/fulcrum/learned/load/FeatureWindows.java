package dev.fulcrum.learned.load;

import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@link LoadEstimator#MAX_WINDOW} feature vectors of each backend, by backend name, and
 * the model input built from them. A backend with fewer ticks than the window has its oldest
 * vector repeated in front (a backend is estimated from its first tick on, as the window fills).
 * Control thread only.
 */
final class FeatureWindows {

    private static final class History {
        final double[][] ring = new double[LoadEstimator.MAX_WINDOW][];
        int count;
        long lastTick;

        void add(double[] values, long tick) {
            ring[count % ring.length] = values;
            count++;
            lastTick = tick;
        }

        /** The vector {@code back} ticks before the newest (0 = newest), clamped to the oldest kept. */
        double[] back(int back) {
            int available = Math.min(count, ring.length);
            int steps = Math.min(back, available - 1);
            return ring[Math.floorMod(count - 1 - steps, ring.length)];
        }
    }

    private final Map<String, History> histories = new HashMap<>();
    private long tick;

    /** Adds one tick's vectors; forgets backends that had no vector for a whole window's length. */
    void add(List<FeatureVector> vectors) {
        tick++;
        for (FeatureVector vector : vectors) {
            histories.computeIfAbsent(vector.backend(), name -> new History()).add(vector.values(), tick);
        }
        histories.values().removeIf(h -> tick - h.lastTick > LoadEstimator.MAX_WINDOW);
    }

    /** Whether this backend has at least one vector. */
    boolean has(String backend) {
        History history = histories.get(backend);
        return history != null && history.count > 0;
    }

    /** Ticks seen for the backend (capped at the window kept). */
    int ticks(String backend) {
        History history = histories.get(backend);
        return history == null ? 0 : Math.min(history.count, LoadEstimator.MAX_WINDOW);
    }

    /** Writes the backend's window, oldest first, as [window, columns.length] at {@code offset}. */
    void fill(String backend, int window, int[] columns, float[] out, int offset) {
        History history = histories.get(backend);
        int at = offset;
        for (int t = window - 1; t >= 0; t--) {
            double[] values = history.back(t);
            for (int column : columns) {
                out[at++] = (float) values[column];
            }
        }
    }
}
