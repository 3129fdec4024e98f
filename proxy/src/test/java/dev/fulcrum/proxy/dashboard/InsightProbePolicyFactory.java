package dev.fulcrum.proxy.dashboard;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code policy: {type: test-insight}} (tests only): least connections that counts its own picks
 * and reports them through {@link BalancingPolicy#insight()} as {@code picks},
 * {@code selectionShare} and a {@code predictedLoad} (its share of the pool's active flows), so the
 * dashboard's generic insight charts can be checked against numbers the policy really computed.
 */
public final class InsightProbePolicyFactory implements PolicyFactory {

    @Override
    public String type() {
        return "test-insight";
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        return Policies.unknownParameters(config, List.of());
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        return new Probe(backends, Policies.create(backends, PolicyConfig.of("least-connections"), null));
    }

    static final class Probe implements BalancingPolicy {
        private final BackendSet backends;
        private final BalancingPolicy delegate;
        private final AtomicLongArray picks;

        Probe(BackendSet backends, BalancingPolicy delegate) {
            this.backends = backends;
            this.delegate = delegate;
            this.picks = new AtomicLongArray(backends.size());
        }

        @Override
        public BackendState pick(Flow flow) {
            BackendState picked = delegate.pick(flow);
            if (picked != null) {
                picks.incrementAndGet(picked.index());
            }
            return picked;
        }

        @Override
        public BackendSet backends() {
            return backends;
        }

        @Override
        public Map<String, Map<String, Double>> insight() {
            long total = 0;
            long active = 0;
            for (BackendState state : backends.states()) {
                total += picks.get(state.index());
                active += state.activeFlows();
            }
            Map<String, Map<String, Double>> insight = new LinkedHashMap<>();
            for (BackendState state : backends.states()) {
                long mine = picks.get(state.index());
                double share = total == 0 ? Double.NaN : (double) mine / total;
                insight.put(state.backend().name(), Map.of("picks", (double) mine, "selectionShare", share,
                        "predictedLoad", Double.isNaN(share) ? 0 : share * active));
            }
            return insight;
        }
    }
}
