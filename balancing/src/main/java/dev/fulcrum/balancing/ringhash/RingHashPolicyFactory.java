package dev.fulcrum.balancing.ringhash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.balancing.boundedload.BoundedLoadParameter;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashingParameters;
import java.util.List;

/**
 * {@code policy: {type: ring-hash, virtualNodes: 160, hash: murmur3, boundedLoad: 1.25}}: Karger's
 * consistent hashing on a ring of virtual nodes (see {@link RingHash}).
 *
 * <table>
 *   <caption>parameters</caption>
 *   <tr><th>name</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>{@code virtualNodes}</td><td>160</td><td>1 to 10000</td>
 *       <td>points on the ring per unit of weight (a backend of weight w has 160 w); the ring is capped
 *       at 2^23 points</td></tr>
 *   <tr><td>{@code hash}</td><td>murmur3</td><td>{@code HashFunctions.names()}</td>
 *       <td>mixes flow keys and places the points</td></tr>
 *   <tr><td>{@code boundedLoad}</td><td>absent: no bound</td><td>(1, 10]</td>
 *       <td>no backend takes more than {@code ceil(c x average)} active flows</td></tr>
 * </table>
 *
 * <p>160 points per backend, libketama's count, keep the busiest backend within about 1.25 x the
 * mean share at 100 backends; a pool that wants better balance at the same memory takes Maglev.
 */
public final class RingHashPolicyFactory implements PolicyFactory {

    public static final String TYPE = "ring-hash";
    public static final String VIRTUAL_NODES = "virtualNodes";
    public static final int DEFAULT_VIRTUAL_NODES = 160;
    public static final int MAX_VIRTUAL_NODES = 10_000;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        return HashingParameters.problems(
                Policies.unknownParameters(config, List.of(VIRTUAL_NODES, HashingParameters.HASH, BoundedLoadParameter.NAME)),
                HashingParameters.intProblem(config, VIRTUAL_NODES, 1, MAX_VIRTUAL_NODES),
                HashingParameters.hashProblem(config),
                BoundedLoadParameter.problem(config));
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        HashFunction hash = HashingParameters.hash(config);
        int virtualNodes = HashingParameters.intValue(config, VIRTUAL_NODES, DEFAULT_VIRTUAL_NODES);
        return BoundedLoadParameter.policy(new RingHash(backends, virtualNodes, hash), hash, config);
    }
}
