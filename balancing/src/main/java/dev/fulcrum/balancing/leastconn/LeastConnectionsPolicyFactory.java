package dev.fulcrum.balancing.leastconn;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import java.util.List;

/** {@code policy: {type: least-connections}}: weighted least connections. Takes no parameters. */
public final class LeastConnectionsPolicyFactory implements PolicyFactory {

    public static final String TYPE = "least-connections";

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
        return new LeastConnections(backends);
    }
}
