package dev.fulcrum.learned.incast;

/**
 * One policy on one topology at one (arrival rate, flow-length rate) point, over the flows that
 * arrived in the measured ticks.
 *
 * @param offeredLoad mean open flows offered / total server capacity
 * @param incastProbability share of flows established while some component on their path held
 *     more flows than its capacity
 * @param meanDegradation mean of 1 - 1/slowdown over flows (slowdown: the path's worst
 *     flows/capacity, at least 1)
 * @param p99Degradation the 99th percentile of that (the paper's "maximum throughput degradation")
 */
public record RunResult(String topology, String policy, double arrivalRate, double flowLengthRate,
        double offeredLoad, long flows, double incastProbability, double meanRttMs, double p95RttMs,
        double meanDegradation, double p99Degradation, double meanFctMs, double p95FctMs) {
}
