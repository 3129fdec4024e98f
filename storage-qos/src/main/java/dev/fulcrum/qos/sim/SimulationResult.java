package dev.fulcrum.qos.sim;

import java.util.List;

/**
 * The paper's Table 1 metrics for one run: mean client throughput (MB/s), p99 latency (ms) and
 * throughput jitter, Eq. 20: std / mean of the per-second throughput. The merged workload is made of
 * runs (synthetic) or segments (real-world-like) of different levels, so, as each of the paper's
 * merged workloads was measured on its own, jitter is taken within each run and averaged over them
 * (else the level changes between runs would dominate it for every method alike).
 */
public record SimulationResult(String policy, String workload, double meanThroughput, double p99LatencyMs,
        double p50LatencyMs, double jitter, List<TieredStorageSimulator.Sample> samples) {

    static SimulationResult of(String policy, String workload, double[] perSecond, int[] segmentOf, LatencyHistogram latencies,
            List<TieredStorageSimulator.Sample> samples) {
        double total = 0;
        for (double v : perSecond) {
            total += v;
        }
        int segments = segmentOf[segmentOf.length - 1] + 1;
        double jitterSum = 0;
        int counted = 0;
        for (int s = 0; s < segments; s++) {
            double sum = 0;
            double squares = 0;
            int n = 0;
            for (int i = 0; i < perSecond.length; i++) {
                if (segmentOf[i] == s) {
                    sum += perSecond[i];
                    squares += perSecond[i] * perSecond[i];
                    n++;
                }
            }
            if (n > 1 && sum > 0) {
                double mean = sum / n;
                double variance = Math.max(0, squares / n - mean * mean);
                jitterSum += Math.sqrt(variance) / mean;
                counted++;
            }
        }
        return new SimulationResult(policy, workload, total / perSecond.length, latencies.percentile(0.99),
                latencies.percentile(0.50), counted == 0 ? Double.NaN : jitterSum / counted, samples);
    }

    /** Without the time series (for tables and JSON). */
    public SimulationResult summary() {
        return new SimulationResult(policy, workload, meanThroughput, p99LatencyMs, p50LatencyMs, jitter, List.of());
    }
}
