package dev.fulcrum.balancing.roundrobin;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.hashing.SplitMix64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round robin, as NGINX's upstream module orders peers (ngx_http_upstream_round_robin.c):
 * weights {5, 1, 1} give a a b a c a a, spreading each backend's turns evenly through the period.
 *
 * <p>NGINX runs the selection per worker under no contention. Here every event loop picks at once,
 * so the period is computed when the policy is built and a pick is one atomic increment into it.
 * A period longer than {@link #MAX_PERIOD} is avoided by scaling the weights down (each stays >= 1),
 * which keeps the ratios within 1 / (smallest scaled weight).
 *
 * <p>When a turn's backend cannot take the flow (draining, full, already tried), the flow goes to a
 * usable backend drawn in proportion to weight, at a point of a low-discrepancy sequence over the
 * turn counter: the skipped share is spread by weight (O(backends) for that pick), instead of
 * landing on the backend that happens to come next.
 */
final class SmoothWeightedRoundRobin implements BalancingPolicy {

    static final int MAX_PERIOD = 1 << 18;
    /** Turns redrawn when a ramping backend declines its turn, before the weighted scan. */
    static final int MAX_REDRAWS = 8;

    private final BackendSet backends;
    private final int[] period;
    private final AtomicLong next;

    SmoothWeightedRoundRobin(BackendSet backends, AtomicLong next) {
        this.backends = backends;
        this.period = period(backends);
        this.next = next;
    }

    /** Backend indexes in the order NGINX's algorithm visits them over one period. */
    static int[] period(BackendSet backends) {
        int n = backends.size();
        if (n == 0) {
            return new int[0];
        }
        long[] weights = scaledWeights(backends);
        long total = 0;
        for (long w : weights) {
            total += w;
        }
        int[] order = new int[(int) total];
        long[] current = new long[n];
        for (int turn = 0; turn < order.length; turn++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[turn] = best;
        }
        return order;
    }

    private static long[] scaledWeights(BackendSet backends) {
        int n = backends.size();
        long gcd = 0;
        long total = 0;
        for (BackendState state : backends.states()) {
            gcd = gcd(gcd, state.weight());
            total += state.weight();
        }
        total /= gcd;
        long[] weights = new long[n];
        double scale = total > MAX_PERIOD ? (double) MAX_PERIOD / (total + n) : 1.0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.max(1, (long) Math.floor(backends.get(i).weight() / gcd * scale));
        }
        return weights;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public BackendState pick(Flow flow) {
        int length = period.length;
        if (length == 0) {
            return null;
        }
        long turn = next.getAndIncrement();
        BackendState own = backends.get(period[(int) Math.floorMod(turn, (long) length)]);
        if (flow.canUse(own)) {
            // A backend in slow start keeps its turn with its ramp fraction (a draw from the turn number).
            long draw = SplitMix64.mix(turn);
            if (own.admits(draw)) {
                return own;
            }
            // Declined: other turns of the period, drawn at random, are weighted like the period;
            // keeping each with its own ramp fraction is rejection sampling over ramped weights,
            // without the scan's O(backends) clock reads.
            for (int i = 0; i < MAX_REDRAWS; i++) {
                draw = SplitMix64.mix(draw + SplitMix64.GAMMA);
                BackendState other = backends.get(period[(int) Long.remainderUnsigned(draw, length)]);
                if (flow.canUse(other) && other.admits(SplitMix64.mix(draw))) {
                    return other;
                }
            }
        }
        return weightedAmongUsable(flow, turn);
    }

    private BackendState weightedAmongUsable(Flow flow, long turn) {
        // Multiplying by the golden ratio spreads consecutive turns evenly over the usable weight.
        return backends.usableByWeight(flow, turn * SplitMix64.GAMMA);
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    AtomicLong cursor() {
        return next;
    }
}
