package dev.fulcrum.qos;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How much the client throughput task yields to the background tasks (PASCAL §4.2, "learning to
 * cooperation"): 0 while every tier its data flows through is at or under its ideal pressure, rising
 * to 1 as the most pressed of them nears its upper bound.
 *
 * <p>Why: throughput is "the most significant task in terms of the performance", and the paper's
 * cooperation example keeps it while a tier fills and speeds the task draining that tier instead. So
 * migrations are owed bandwidth only in so far as a tier is under pressure (over its ideal watermark,
 * Property 1); while none is, the client may take back everything the resources allow, and bursts
 * are served rather than queued. A node's excess is its pressure over the ideal, as a share of the
 * excess it would have at its upper bound (Eq. 5):
 * <pre>  e_n = clamp((f_n(w_n) - p*_n) / (f_n(upper_n) - p*_n), 0, 1)</pre>
 * and the yield is {@code min(1, gain * max_n e_n)} over the nodes reachable from the client task's
 * destinations. With the rational mapping of {@link PressureMapping} the stiffness cancels, so
 * {@code gain} sets how early the client gives way.
 */
final class ClientYield {

    private final StorageDag dag;
    private final PressureMapping[] mappings;
    private final boolean[] downstream;
    private final double gain;

    ClientYield(StorageDag dag, int clientTask, double gain) {
        Checks.check(gain > 0 && Double.isFinite(gain), "yield gain: %s (expected: > 0)", gain);
        this.dag = dag;
        this.gain = gain;
        int nodes = dag.nodes().size();
        mappings = new PressureMapping[nodes];
        for (int n = 0; n < nodes; n++) {
            StorageNode node = dag.nodes().get(n);
            mappings[n] = PressureMapping.of(node.idealWatermark(), dag.idealPressure(n), node.stiffness());
        }
        downstream = new boolean[nodes];
        Deque<Integer> open = new ArrayDeque<>();
        if (clientTask >= 0) {
            for (int to : dag.edgeDestinations(clientTask)) {
                if (to >= 0 && !downstream[to]) {
                    downstream[to] = true;
                    open.add(to);
                }
            }
        }
        while (!open.isEmpty()) {
            int node = open.poll();
            for (int t = 0; t < dag.tasks().size(); t++) {
                int[] from = dag.edgeSources(t);
                int[] to = dag.edgeDestinations(t);
                for (int e = 0; e < from.length; e++) {
                    if (from[e] == node && to[e] >= 0 && !downstream[to[e]]) {
                        downstream[to[e]] = true;
                        open.add(to[e]);
                    }
                }
            }
        }
    }

    /** The yield in [0, 1] at these watermarks. */
    double of(double[] watermarks) {
        double most = 0;
        for (int n = 0; n < mappings.length; n++) {
            if (downstream[n]) {
                most = Math.max(most, excess(n, watermarks[n]));
            }
        }
        return Math.min(1, gain * most);
    }

    /** Node {@code n}'s pressure excess over its ideal, as a share of the excess at its upper bound. */
    double excess(int n, double watermark) {
        double ideal = mappings[n].idealPressure();
        // An upper bound of 1 has infinite pressure; measure the excess against 0.99 instead.
        double atUpper = mappings[n].pressure(Math.min(0.99, dag.nodes().get(n).upper()));
        double p = mappings[n].pressure(watermark);
        if (Double.isNaN(p) || p <= ideal) {
            return 0;
        }
        if (!(atUpper > ideal) || p >= atUpper) {
            return 1;
        }
        return (p - ideal) / (atUpper - ideal);
    }
}
