package dev.fulcrum.learned.incast;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.hashing.SplitMix64;
import java.util.ArrayList;
import java.util.List;

/**
 * ECMP: each component hashes the flow's 5-tuple onto its equal-cost next hops, here with
 * Fulcrum's own {@code jump-hash} policy (murmur3), so the simulator runs the proxy's code. Each
 * component salts the hash with its own seed, as switches do; without it every tier would make the
 * same choice for a flow and use one child in five (hash polarisation).
 *
 * <p>The paper's ECMP baseline splits a flow into MPTCP subflows over several paths; Fulcrum
 * balances whole flows, so this is per-flow ECMP (documented in docs/rl-incast.md).
 */
final class EcmpRouter implements Router {

    private final BalancingPolicy[] policies;
    private final long[] salt;

    EcmpRouter(Topology topology) {
        policies = new BalancingPolicy[topology.components];
        salt = new long[topology.components];
        for (int c = 0; c < topology.components; c++) {
            if (!topology.chooses(c)) {
                continue;
            }
            List<Backend> backends = new ArrayList<>();
            for (int k = 0; k < topology.children[c].length; k++) {
                backends.add(new Backend("child-" + topology.children[c][k], "127.0.0.1", 1 + k, 1, 0));
            }
            policies[c] = Policies.create(BackendSet.of(backends), PolicyConfig.of("jump-hash"), null);
            salt[c] = SplitMix64.mix(0x5EED_0000L + c);
        }
    }

    @Override
    public void onTick(IncastSimulator sim) {
    }

    @Override
    public int choose(int component, long flowHash, long random) {
        return policies[component].pick(new Flow(flowHash ^ salt[component], null, null)).index();
    }
}
