package dev.fulcrum.balancing.maglev;

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
 * {@code policy: {type: maglev, tableSize: 65537, hash: murmur3, boundedLoad: 1.25}}: a weighted
 * Maglev lookup table (see {@link MaglevTable}).
 *
 * <table>
 *   <caption>parameters</caption>
 *   <tr><th>name</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>{@code tableSize}</td><td>65537</td><td>a prime from 7 to 16777213</td>
 *       <td>slots M; keep M above 100 x backends (4 bytes a slot)</td></tr>
 *   <tr><td>{@code hash}</td><td>murmur3</td><td>{@code HashFunctions.names()}</td>
 *       <td>mixes flow keys and derives each backend's permutation</td></tr>
 *   <tr><td>{@code boundedLoad}</td><td>absent: no bound</td><td>(1, 10]</td>
 *       <td>no backend takes more than {@code ceil(c x average)} active flows</td></tr>
 * </table>
 */
public final class MaglevPolicyFactory implements PolicyFactory {

    public static final String TYPE = "maglev";
    public static final String TABLE_SIZE = "tableSize";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        return HashingParameters.problems(
                Policies.unknownParameters(config, List.of(TABLE_SIZE, HashingParameters.HASH, BoundedLoadParameter.NAME)),
                tableSizeProblem(config),
                HashingParameters.hashProblem(config),
                BoundedLoadParameter.problem(config));
    }

    static String tableSizeProblem(PolicyConfig config) {
        Object value = config.parameters().get(TABLE_SIZE);
        if (value == null) {
            return null;
        }
        String expected = "expected: a prime from " + MaglevTable.MIN_SIZE + " to " + MaglevTable.MAX_SIZE;
        if (!(value instanceof Integer || value instanceof Long)) {
            return TABLE_SIZE + ": " + value + " (" + expected + ")";
        }
        long size = ((Number) value).longValue();
        if (size >= MaglevTable.MIN_SIZE && size <= MaglevTable.MAX_SIZE && MaglevTable.isPrime(size)) {
            return null;
        }
        if (size < MaglevTable.MIN_SIZE || size > MaglevTable.MAX_SIZE) {
            return TABLE_SIZE + ": " + value + " (" + expected + ")";
        }
        long below = size - 1;
        while (below >= MaglevTable.MIN_SIZE && !MaglevTable.isPrime(below)) {
            below--;
        }
        long above = size + 1;
        while (above <= MaglevTable.MAX_SIZE && !MaglevTable.isPrime(above)) {
            above++;
        }
        String nearest = below < MaglevTable.MIN_SIZE ? String.valueOf(above)
                : above > MaglevTable.MAX_SIZE ? String.valueOf(below)
                : below + " or " + above;
        return TABLE_SIZE + ": " + value + " (" + expected + "; nearest: " + nearest + ")";
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        HashFunction hash = HashingParameters.hash(config);
        int size = HashingParameters.intValue(config, TABLE_SIZE, MaglevTable.DEFAULT_SIZE);
        return BoundedLoadParameter.policy(new MaglevTable(backends, size, hash), hash, config);
    }
}
