package dev.fulcrum.balancing.p2c;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import java.util.function.LongSupplier;

/**
 * Power of two choices over peak-EWMA latency, as Finagle's {@code P2CPeakEwma} and Linkerd's
 * balancer (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS 2001):
 * draw two distinct usable backends uniformly at random and take the cheaper. Comparing two random
 * backends instead of scanning all keeps a pick O(1) and keeps concurrent event loops from all
 * piling onto the one backend that looked best a moment ago.
 *
 * <h2>Cost</h2>
 * {@code latency * (active + 1) / weight}, where {@code latency} is the backend's peak-EWMA estimate
 * now ({@link BackendState#latencyEstimateNanos}: the proxy feeds it connect times) and {@code active}
 * its open flows, counting the new one as Finagle counts the request about to be sent. Dividing by
 * the weight makes a backend of weight 2 as cheap as one of weight 1 with half its latency or half
 * its open flows, so at equal latency it carries about twice the flows. Ties go to the first
 * backend drawn, which is random.
 *
 * <h2>Backends with no estimate</h2>
 * As Finagle's PeakEwma does ({@code if (cost == 0 && pending != 0) Penalty + pending}): a backend
 * with no latency sample yet and no open flow costs 0, so the first pick that draws it sends it a
 * flow (a probe); while it has open flows and still no sample, its latency counts as {@code penalty}
 * (default 1 s, far above any healthy connect time), so it gets no more flows until its first
 * sample says what it is worth. Linkerd instead starts every backend at a default latency (30 ms);
 * the probe learns the real value after one connect rather than after the default decays.
 *
 * <h2>Draws</h2>
 * The first candidate is drawn from all backends, the second from the others, redrawing one the
 * flow cannot use (draining, full, tried); after {@link #MAX_DRAWS} draws a scan over the usable
 * backends chooses uniformly, so a mostly unusable pool costs O(backends) for that pick. With one
 * usable backend it is picked alone.
 *
 * <p>The random source and the clock are parameters; {@link P2cPeakEwmaPolicyFactory} passes
 * {@code ThreadLocalRandom} and {@link System#nanoTime()}.
 */
final class P2cPeakEwma implements BalancingPolicy {

    static final int MAX_DRAWS = 8;

    private final BackendSet backends;
    private final double penaltyNanos;
    private final LongSupplier random;
    private final LongSupplier clock;

    /**
     * Builds the policy and sets {@code decayNanos} as the latency decay time of every backend in
     * the set (the estimate lives in the backends, shared with the proxy that feeds it).
     *
     * @param random uniformly random 64-bit values; called from every event loop at once
     * @param clock  {@link System#nanoTime()} or a test's clock
     */
    P2cPeakEwma(BackendSet backends, long decayNanos, long penaltyNanos, LongSupplier random, LongSupplier clock) {
        this.backends = backends;
        this.penaltyNanos = penaltyNanos;
        this.random = random;
        this.clock = clock;
        for (int i = 0; i < backends.size(); i++) {
            backends.get(i).setLatencyDecayNanos(decayNanos);
        }
    }

    @Override
    public BackendState pick(Flow flow) {
        int n = backends.size();
        if (n <= 1) {
            return n == 1 && flow.canUse(backends.get(0)) ? backends.get(0) : null;
        }
        BackendState first = null;
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            BackendState candidate = first == null
                    ? backends.get(index(random.getAsLong(), n))
                    : backends.get(skipping(first.index(), index(random.getAsLong(), n - 1)));
            if (flow.canUse(candidate)) {
                if (first != null) {
                    return cheaper(first, candidate, clock.getAsLong());
                }
                first = candidate;
            }
        }
        return amongUsable(flow, first);
    }

    /** The draws kept missing: choose the missing candidates uniformly among the usable backends. */
    private BackendState amongUsable(Flow flow, BackendState first) {
        int usable = 0;
        for (int i = 0, n = backends.size(); i < n; i++) {
            BackendState candidate = backends.get(i);
            if (candidate != first && flow.canUse(candidate)) {
                usable++;
            }
        }
        if (first == null) {
            if (usable == 0) {
                return null;
            }
            first = nthUsable(flow, null, index(random.getAsLong(), usable));
            usable--;
            if (first == null) {
                return null;
            }
        }
        if (usable == 0) {
            return first;
        }
        BackendState second = nthUsable(flow, first, index(random.getAsLong(), usable));
        return second == null ? first : cheaper(first, second, clock.getAsLong());
    }

    /** The {@code nth} usable backend other than {@code skip}; the last one seen if fewer are usable now. */
    private BackendState nthUsable(Flow flow, BackendState skip, int nth) {
        BackendState last = null;
        for (int i = 0, n = backends.size(); i < n; i++) {
            BackendState candidate = backends.get(i);
            if (candidate != skip && flow.canUse(candidate)) {
                if (nth-- == 0) {
                    return candidate;
                }
                last = candidate;
            }
        }
        return last;
    }

    private BackendState cheaper(BackendState first, BackendState second, long nowNanos) {
        return cost(second, nowNanos) < cost(first, nowNanos) ? second : first;
    }

    /** {@code latency * (active + 1) / weight}; see the class comment for backends with no latency yet. */
    double cost(BackendState backend, long nowNanos) {
        double latency = backend.latencyEstimateNanos(nowNanos);
        int active = backend.activeFlows();
        if (latency == 0) {
            if (active == 0) {
                return 0;
            }
            latency = penaltyNanos;
        }
        return latency * (active + 1.0) * 1024.0 / backend.rampedWeight1024(); // slow start scales the weight
    }

    /** An index in {@code [0, bound)} from the high 32 bits of a random value (Lemire's multiply-shift). */
    static int index(long random, int bound) {
        return (int) (((random >>> 32) * bound) >>> 32);
    }

    /** Maps an index among the {@code n - 1} others to an index among all {@code n}, skipping {@code skipped}. */
    private static int skipping(int skipped, int i) {
        return i >= skipped ? i + 1 : i;
    }

    @Override
    public BackendSet backends() {
        return backends;
    }
}
