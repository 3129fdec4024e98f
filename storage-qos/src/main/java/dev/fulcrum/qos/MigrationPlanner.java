package dev.fulcrum.qos;

/**
 * The pressure balancer of PASCAL §4.2: watermarks -> pressures -> each task's pressure difference
 * (the weighted mean over its edges of source pressure minus destination pressure) -> data-migration
 * ratios proportional to the positive part of those differences (Eq. 15).
 *
 * <p>Bounds (Eq. 5) are hard: a task with an edge into a node at or over its upper bound, or out of
 * a node at or under its lower bound, gets ratio 0 whatever its pressure. An infinite difference (a
 * destination at watermark 1) is a zero ratio; an infinite source pressure is capped at
 * {@link #MAX_PRESSURE}, so a full node drains at the largest share rather than breaking the sums.
 */
public final class MigrationPlanner {

    static final double MAX_PRESSURE = 1e6;

    private final StorageDag dag;
    private final PressureMapping[] mappings;

    public MigrationPlanner(StorageDag dag) {
        this.dag = dag;
        this.mappings = new PressureMapping[dag.nodes().size()];
        for (int n = 0; n < mappings.length; n++) {
            StorageNode node = dag.nodes().get(n);
            mappings[n] = PressureMapping.of(node.idealWatermark(), dag.idealPressure(n), node.stiffness());
        }
    }

    public StorageDag dag() {
        return dag;
    }

    /** Pressure of every node at these watermarks (capped at {@link #MAX_PRESSURE}). */
    public double[] pressures(double[] watermarks) {
        Checks.check(watermarks.length == mappings.length, "watermarks: %s values (expected: %s, one per node)",
                watermarks.length, mappings.length);
        double[] pressures = new double[mappings.length];
        for (int n = 0; n < mappings.length; n++) {
            pressures[n] = Math.min(MAX_PRESSURE, mappings[n].pressure(watermarks[n]));
        }
        return pressures;
    }

    /** Each task's pressure difference: the weighted mean of its edges' differences. */
    public double[] pressureDifferences(double[] pressures) {
        double[] differences = new double[dag.tasks().size()];
        for (int t = 0; t < differences.length; t++) {
            int[] from = dag.edgeSources(t);
            int[] to = dag.edgeDestinations(t);
            double sum = 0;
            double weights = 0;
            for (int e = 0; e < from.length; e++) {
                double w = dag.tasks().get(t).edges().get(e).weight();
                sum += w * (end(from[e], pressures) - end(to[e], pressures));
                weights += w;
            }
            differences[t] = sum / weights;
        }
        return differences;
    }

    private double end(int index, double[] pressures) {
        return index >= 0 ? pressures[index] : dag.portPressure(-1 - index);
    }

    /** Migration ratios (summing to 1, or all 0 when no task has a positive difference). */
    public double[] ratios(double[] watermarks) {
        double[] differences = pressureDifferences(pressures(watermarks));
        double[] ratios = new double[differences.length];
        double total = 0;
        for (int t = 0; t < ratios.length; t++) {
            double d = differences[t];
            ratios[t] = d > 0 && !blocked(t, watermarks) ? d : 0;
            total += ratios[t];
        }
        if (total > 0) {
            for (int t = 0; t < ratios.length; t++) {
                ratios[t] /= total;
            }
        }
        return ratios;
    }

    /** Eq. 5: no data into a node at its upper bound, none out of a node at its lower bound. */
    boolean blocked(int task, double[] watermarks) {
        int[] from = dag.edgeSources(task);
        int[] to = dag.edgeDestinations(task);
        for (int e = 0; e < from.length; e++) {
            if (to[e] >= 0 && watermarks[to[e]] >= dag.nodes().get(to[e]).upper()) {
                return true;
            }
            if (from[e] >= 0 && watermarks[from[e]] <= dag.nodes().get(from[e]).lower()) {
                return true;
            }
        }
        return false;
    }
}
