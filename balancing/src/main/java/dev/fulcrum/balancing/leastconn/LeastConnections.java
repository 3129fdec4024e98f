package dev.fulcrum.balancing.leastconn;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Weighted least connections, as HAProxy's {@code leastconn}: the backend with the fewest active
 * flows per unit of weight, counting the new flow, {@code (active + 1) / weight}. Counting the new
 * flow lets weights decide between idle backends. Ties go to the first backend after a rotating
 * start, so equal backends share the flows instead of the first one taking them all.
 *
 * <p>The scan is O(backends) per pick; pools of thousands want P2C instead (its own policy).
 */
final class LeastConnections implements BalancingPolicy {

    private final BackendSet backends;
    private final AtomicInteger rotation = new AtomicInteger();

    LeastConnections(BackendSet backends) {
        this.backends = backends;
    }

    @Override
    public BackendState pick(Flow flow) {
        int n = backends.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        BackendState best = null;
        long bestLoad = 0;
        long bestWeight = 1;
        for (int i = 0; i < n; i++) {
            BackendState candidate = backends.get((start + i) % n);
            if (!flow.canUse(candidate)) {
                continue;
            }
            long load = candidate.activeFlows() + 1L;
            long weight = candidate.rampedWeight1024(); // the weight, scaled down during slow start
            // load / weight < bestLoad / bestWeight, without division.
            if (best == null || load * bestWeight < bestLoad * weight) {
                best = candidate;
                bestLoad = load;
                bestWeight = weight;
            }
        }
        return best;
    }

    @Override
    public BackendSet backends() {
        return backends;
    }
}
