package dev.fulcrum.qos;

/**
 * Baseline 2 of PASCAL §5.1: a PID controller per task whose controlled variable is a watermark
 * (the integral of the bandwidths in and out of the node, hence "the integral of the bandwidth
 * replaced with the watermark level"). A task draining a node speeds up as the node rises over its
 * target; the client task (from a port into a node) slows down as its destination rises. Output is
 * {@code base + sign * maxRate * (kp e + ki sum(e) dt + kd de/dt)}, clamped to [0, maxRate], with
 * the integral frozen while the output is saturated (anti-windup). Tasks do not coordinate.
 */
public final class PidPolicy implements BandwidthPolicy {

    /** Gains per unit watermark error; dt is the control interval in seconds. */
    public record Gains(double kp, double ki, double kd, double dt) {
    }

    private final String name;
    private final double[] base;
    private final double[] maxRate;
    private final double[] target;
    private final Gains gains;
    private final int[] node;
    private final double[] sign;
    private final double[] integral;
    private final double[] lastError;

    /**
     * @param base   per task, the output at zero error
     * @param target per node, the watermark the tasks touching it aim for
     */
    public PidPolicy(String name, StorageDag dag, double[] base, double[] target, Gains gains) {
        int tasks = dag.tasks().size();
        Checks.check(base.length == tasks, "base: %s values (expected: one per task)", base.length);
        Checks.check(target.length == dag.nodes().size(), "target: %s values (expected: one per node)", target.length);
        this.name = name;
        this.base = base.clone();
        this.target = target.clone();
        this.gains = gains;
        this.maxRate = new double[tasks];
        this.node = new int[tasks];
        this.sign = new double[tasks];
        this.integral = new double[tasks];
        this.lastError = new double[tasks];
        for (int t = 0; t < tasks; t++) {
            BandwidthTask task = dag.tasks().get(t);
            Checks.check(Double.isFinite(task.maxRate()), "task %s: maxRate: infinite (expected: finite for PID)", task.name());
            maxRate[t] = task.maxRate();
            int from = dag.edgeSources(t)[0];
            node[t] = from >= 0 ? from : dag.edgeDestinations(t)[0];
            sign[t] = from >= 0 ? 1 : -1;
            lastError[t] = Double.NaN;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] rates(double[] watermarks, double[][] efficiency) {
        double[] rates = new double[base.length];
        for (int t = 0; t < rates.length; t++) {
            double error = watermarks[node[t]] - target[node[t]];
            double derivative = Double.isNaN(lastError[t]) ? 0 : (error - lastError[t]) / gains.dt();
            lastError[t] = error;
            double candidate = integral[t] + error * gains.dt();
            double raw = base[t] + sign[t] * maxRate[t] * (gains.kp() * error + gains.ki() * candidate + gains.kd() * derivative);
            if (raw >= 0 && raw <= maxRate[t]) {
                integral[t] = candidate;
            }
            rates[t] = Math.max(0, Math.min(maxRate[t], raw));
        }
        return rates;
    }
}
