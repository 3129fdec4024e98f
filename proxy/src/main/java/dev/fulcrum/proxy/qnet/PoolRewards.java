package dev.fulcrum.proxy.qnet;

import static dev.fulcrum.metrics.feature.FeatureSchema.FCT;
import static dev.fulcrum.metrics.feature.FeatureSchema.LAT_SA;
import static dev.fulcrum.metrics.feature.FeatureSchema.N_F;
import static dev.fulcrum.metrics.feature.FeatureSchema.N_FCT;
import static dev.fulcrum.metrics.feature.FeatureSchema.N_P;
import static dev.fulcrum.metrics.feature.FeatureSchema.N_RTR;
import static dev.fulcrum.metrics.feature.FeatureSchema.RTT;

import dev.fulcrum.learned.rl.FlowReward;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The reward of the flows one pool sent to each backend in a tick (Mizutani, Sensors 2022, §3.4,
 * formula (5)), from what the proxy measured in-line that tick: RTT is the connect time of those
 * very flows ({@code lat_sa}: connect() to established, one SYN/SYN-ACK round trip), or TCP_INFO's
 * smoothed RTT when no connect was timed; loss is TCP_INFO retransmissions over socket reads and
 * writes ({@code n_rtr / (n_rtr + n_p)}, 0 without TCP_INFO); minRTT is the shortest RTT seen to
 * that backend so far. A backend that took no flow in the tick has no sample.
 *
 * <p>The pool's own reward, the one it feeds back to its parents, is the flow-weighted mean of its
 * backends' rewards in the last tick that had flows. Control thread only.
 */
final class PoolRewards {

    /** One backend's reward sample: what a transition records. */
    record Sample(int backend, int flows, double rtt, double minRtt, double loss, Double childReward, double reward, double fct) {
    }

    private final Map<String, Double> minRtt = new HashMap<>();
    private Double reward;
    private long rewardAtMillis;

    /**
     * @param vectors this tick's features of the pool's backends
     * @param indexOf a backend's index in the pool, or -1 when it is gone
     * @param childReward the reward backend {@code k} fed back, or null (none, stale, or beta = 1)
     */
    List<Sample> update(List<FeatureVector> vectors, Function<String, Integer> indexOf, FlowReward rewardFunction,
            Function<Integer, Double> childReward) {
        List<Sample> samples = new ArrayList<>();
        double weighted = 0;
        int flows = 0;
        long at = 0;
        for (FeatureVector vector : vectors) {
            double[] v = vector.values();
            int assigned = (int) finiteOr(v[N_F], 0);
            Integer index = indexOf.apply(vector.backend());
            if (assigned <= 0 || index == null || index < 0) {
                continue;
            }
            double rtt = finiteOr(v[FeatureSchema.column(LAT_SA, 0)], 0);
            if (!(rtt > 0)) {
                rtt = finiteOr(v[FeatureSchema.column(RTT, 0)], 0);
            }
            if (!(rtt > 0)) {
                continue; // nothing timed: no sample rather than a made-up one
            }
            double shortest = Math.min(minRtt.getOrDefault(vector.backend(), Double.POSITIVE_INFINITY), rtt);
            minRtt.put(vector.backend(), shortest);
            double retrans = finiteOr(v[N_RTR], 0);
            double packets = finiteOr(v[N_P], 0);
            double loss = retrans + packets > 0 ? Math.min(1, retrans / (retrans + packets)) : 0;
            Double child = childReward.apply(index);
            // No fresh report from the child: this hop's term alone (as IFS-RL), never a 0 that would
            // teach the policy that a silent child is a bad one.
            double value = child == null ? FlowReward.withoutFeedback().reward(shortest, rtt, loss, 0)
                    : rewardFunction.reward(shortest, rtt, loss, child);
            // A channel without samples reads 0 for its mean: no flow ended in the tick, so no FCT (null in the transition).
            double fct = finiteOr(v[N_FCT], 0) > 0 ? finiteOr(v[FeatureSchema.column(FCT, 0)], Double.NaN) : Double.NaN;
            samples.add(new Sample(index, assigned, rtt, shortest, loss, child, value, fct));
            weighted += value * assigned;
            flows += assigned;
            at = vector.timestampMillis();
        }
        if (flows > 0) {
            reward = weighted / flows;
            rewardAtMillis = at;
        }
        return samples;
    }

    /** The pool's reward (flow-weighted mean of the last tick with flows), or null before any. */
    Double reward() {
        return reward;
    }

    long rewardAtMillis() {
        return rewardAtMillis;
    }

    private static double finiteOr(double value, double otherwise) {
        return Double.isFinite(value) ? value : otherwise;
    }
}
