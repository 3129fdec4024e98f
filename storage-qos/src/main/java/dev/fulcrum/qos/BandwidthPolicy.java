package dev.fulcrum.qos;

/**
 * Decides the bandwidth of every task of a {@link StorageDag} for the next interval. Implemented
 * by the {@link PressureController} and the baselines, so the simulator and the proxy drive them
 * alike. Called from one thread (the control thread, or the simulator's loop).
 */
public interface BandwidthPolicy {

    String name();

    /**
     * @param watermarks per node, in [0, 1]
     * @param efficiency per task and resource, the consumption per unit bandwidth measured over the
     *                   last interval, NaN where the task did not run
     * @return per task the bandwidth for the next interval (possibly infinite: no limit)
     */
    double[] rates(double[] watermarks, double[][] efficiency);

    /**
     * As {@link #rates(double[], double[][])}, also told the bandwidth each task actually used over
     * the last interval (NaN where unknown), for policies that hand unused bandwidth to others.
     */
    default double[] rates(double[] watermarks, double[][] efficiency, double[] used) {
        return rates(watermarks, efficiency);
    }
}
