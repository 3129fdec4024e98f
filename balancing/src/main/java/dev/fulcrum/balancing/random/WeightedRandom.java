package dev.fulcrum.balancing.random;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import java.util.function.LongSupplier;

/**
 * Weighted random: each flow goes to a backend drawn with probability weight / total weight of the
 * backends it can use. The draw is one lookup in an {@link AliasTable} built over all backends when
 * the policy is built, so a pick is O(1) whatever the pool's size or weights.
 *
 * <p>A drawn backend the flow cannot use (draining, full, already tried) is drawn again, up to
 * {@link #MAX_DRAWS} times; then one weighted scan over the usable backends decides. Drawing again
 * from the whole table is rejection sampling, so both ways give each usable backend exactly its
 * share of the usable weight; the bound only keeps a pool that is mostly unusable from costing many
 * draws.
 *
 * <p>The random source is a parameter: {@link RandomPolicyFactory} passes
 * {@code ThreadLocalRandom.current().nextLong()}, tests pass a seeded generator.
 */
final class WeightedRandom implements BalancingPolicy {

    static final int MAX_DRAWS = 8;

    private final BackendSet backends;
    private final AliasTable table;
    private final LongSupplier random;

    /** @param random uniformly random 64-bit values; called from every event loop at once */
    WeightedRandom(BackendSet backends, LongSupplier random) {
        this.backends = backends;
        int[] weights = new int[backends.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = backends.get(i).weight();
        }
        this.table = new AliasTable(weights);
        this.random = random;
    }

    @Override
    public BackendState pick(Flow flow) {
        if (table.size() == 0) {
            return null;
        }
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            BackendState candidate = backends.get(table.draw(random.getAsLong()));
            // A backend in slow start is kept with its ramp fraction: rejection sampling again.
            if (flow.canUse(candidate) && candidate.admits(random.getAsLong())) {
                return candidate;
            }
        }
        return weightedAmongUsable(flow);
    }

    private BackendState weightedAmongUsable(Flow flow) {
        return backends.usableByWeight(flow, random.getAsLong());
    }

    @Override
    public BackendSet backends() {
        return backends;
    }
}
