package dev.fulcrum.balancing.rendezvous;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashingParameters;
import dev.fulcrum.balancing.hashing.HashingPolicy;
import java.util.List;

/**
 * {@code policy: {type: rendezvous, hash: murmur3}}: weighted rendezvous hashing (see
 * {@link WeightedRendezvous}; O(backends) per pick).
 *
 * <table>
 *   <caption>parameters</caption>
 *   <tr><th>name</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>{@code hash}</td><td>murmur3</td><td>{@code HashFunctions.names()}</td>
 *       <td>mixes flow keys and scores each key against each backend</td></tr>
 * </table>
 */
public final class RendezvousPolicyFactory implements PolicyFactory {

    public static final String TYPE = "rendezvous";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        return HashingParameters.problems(
                Policies.unknownParameters(config, List.of(HashingParameters.HASH)),
                HashingParameters.hashProblem(config));
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        HashFunction hash = HashingParameters.hash(config);
        return new HashingPolicy(new WeightedRendezvous(backends, hash), hash);
    }
}
