package dev.fulcrum.learned.incast;

import java.util.Arrays;

/** Per-flow outcomes of the measured ticks, reduced to a {@link RunResult}. */
final class RunMetrics {

    private long flows;
    private long incast;
    private float[] rtt = new float[4096];
    private float[] degradation = new float[4096];
    private float[] fct = new float[4096];

    void record(boolean incastFlow, double rttMs, double degradationShare, double fctMs) {
        if (flows == rtt.length) {
            int grown = rtt.length * 2;
            rtt = Arrays.copyOf(rtt, grown);
            degradation = Arrays.copyOf(degradation, grown);
            fct = Arrays.copyOf(fct, grown);
        }
        int i = (int) flows++;
        rtt[i] = (float) rttMs;
        degradation[i] = (float) degradationShare;
        fct[i] = (float) fctMs;
        if (incastFlow) {
            incast++;
        }
    }

    RunResult result(String topology, String policy, double arrivalRate, double flowLengthRate, double load) {
        int n = (int) flows;
        return new RunResult(topology, policy, arrivalRate, flowLengthRate, load, flows,
                n == 0 ? 0 : incast / (double) n,
                mean(rtt, n), quantile(rtt, n, 0.95), mean(degradation, n), quantile(degradation, n, 0.99),
                mean(fct, n), quantile(fct, n, 0.95));
    }

    private static double mean(float[] values, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += values[i];
        }
        return n == 0 ? 0 : sum / n;
    }

    private static double quantile(float[] values, int n, double q) {
        if (n == 0) {
            return 0;
        }
        float[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)];
    }
}
