package dev.fulcrum.qos;

/**
 * Baseline 1 of PASCAL §5.1, an LBICA-like rule per tier (Ahmadian et al., DATE 2019): every task
 * runs at its nominal bandwidth; once a node's watermark passes its threshold, the bandwidth of
 * every task moving data into it is cut to {@code cut} of nominal. A task that drains a node runs
 * only while the node is above its start mark (nothing worth moving below it). Each tier acts on
 * its own: no task knows about the others, which is the point of the comparison.
 */
public final class ThresholdPolicy implements BandwidthPolicy {

    private final String name;
    private final StorageDag dag;
    private final double[] nominal;
    private final double[] threshold;
    private final double[] start;
    private final double cut;

    /**
     * @param nominal   per task, its bandwidth while no threshold is passed
     * @param threshold per node, the watermark over which inflow is cut
     * @param start     per node, the watermark under which tasks draining it stop
     */
    public ThresholdPolicy(String name, StorageDag dag, double[] nominal, double[] threshold, double[] start, double cut) {
        Checks.check(nominal.length == dag.tasks().size(), "nominal: %s values (expected: one per task)", nominal.length);
        Checks.check(threshold.length == dag.nodes().size() && start.length == dag.nodes().size(),
                "threshold, start: %s, %s values (expected: one per node)", threshold.length, start.length);
        Checks.check(cut >= 0 && cut < 1, "cut: %s (expected: in [0, 1))", cut);
        this.name = name;
        this.dag = dag;
        this.nominal = nominal.clone();
        this.threshold = threshold.clone();
        this.start = start.clone();
        this.cut = cut;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] rates(double[] watermarks, double[][] efficiency) {
        double[] rates = nominal.clone();
        for (int t = 0; t < rates.length; t++) {
            int[] from = dag.edgeSources(t);
            int[] to = dag.edgeDestinations(t);
            for (int e = 0; e < from.length; e++) {
                if (e == 0 && from[e] >= 0 && watermarks[from[e]] < start[from[e]]) {
                    rates[t] = 0;
                }
                // Only the task's main destination (first edge) is a tier it fills.
                if (e == 0 && to[e] >= 0 && watermarks[to[e]] > threshold[to[e]]) {
                    rates[t] *= cut;
                }
            }
        }
        return rates;
    }
}
