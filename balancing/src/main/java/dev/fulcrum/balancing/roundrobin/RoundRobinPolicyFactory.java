package dev.fulcrum.balancing.roundrobin;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code policy: {type: round-robin}}: smooth weighted round robin. Takes no parameters. */
public final class RoundRobinPolicyFactory implements PolicyFactory {

    public static final String TYPE = "round-robin";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        return Policies.unknownParameters(config, List.of());
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        // Keep the cursor so a rebuild does not send the next flows to the first backends again.
        AtomicLong cursor = previous instanceof SmoothWeightedRoundRobin p ? p.cursor() : new AtomicLong();
        return new SmoothWeightedRoundRobin(backends, cursor);
    }
}
