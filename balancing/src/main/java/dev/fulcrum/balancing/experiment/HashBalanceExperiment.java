package dev.fulcrum.balancing.experiment;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The classic side of the DLB paper's balance experiment (Zhu et al., IEEE CLOUD 2021, IV-B2):
 * double keys from a distribution are mapped to bins by a hashing policy, and we report the
 * standard deviation of bin loads (the paper's metric), max/mean, and the fraction of keys that move
 * when one bin is removed (the ideal is 1/bins). It is the baseline the learned hash is measured
 * against, on the same keys: {@link #trainSeed} and {@link #testSeed} fix both sets.
 *
 * <p>Keys are offered to the policies as they are in the proxy, as {@link Flow}s whose raw key is the
 * double, so a policy hashes the key with its configured function (BKDR, Murmur3, Python's hash).
 * Bounded-load mappers hold every key they place (CHBL: balls stay), so the bound sees the loads.
 */
public final class HashBalanceExperiment {

    /** A way of mapping keys to bins: a policy and its parameters. */
    public record Mapper(String name, PolicyConfig policy, boolean holdsKeys) {
    }

    public record Settings(int keys, int bins, long seed, List<KeyDistribution> distributions, List<Mapper> mappers) {
        public Settings {
            if (keys < 1) {
                throw new IllegalArgumentException("keys: " + keys + " (expected: >= 1)");
            }
            if (bins < 2) {
                throw new IllegalArgumentException("bins: " + bins + " (expected: >= 2, one is removed for the remap figure)");
            }
            distributions = List.copyOf(distributions);
            mappers = List.copyOf(mappers);
        }
    }

    /** One mapper on one distribution's test keys. */
    public record Result(String distribution, String mapper, double std, double maxOverMean, double remapFraction,
            double idealRemapFraction) {
    }

    private HashBalanceExperiment() {
    }

    /** CH and CHBL with the paper's three hash functions, then Maglev, ring hash and jump hash with Murmur3. */
    public static List<Mapper> defaultMappers() {
        List<Mapper> mappers = new ArrayList<>();
        for (String hash : List.of("bkdr", "murmur3", "python")) {
            mappers.add(new Mapper("CH (" + hash + ")",
                    new PolicyConfig("ring-hash", Map.of("virtualNodes", 1, "hash", hash)), false));
        }
        for (String hash : List.of("bkdr", "murmur3", "python")) {
            mappers.add(new Mapper("CHBL (" + hash + ")",
                    new PolicyConfig("ring-hash", Map.of("virtualNodes", 1, "hash", hash, "boundedLoad", 1.25)), true));
        }
        mappers.add(new Mapper("Maglev", PolicyConfig.of("maglev"), false));
        mappers.add(new Mapper("ring hash", PolicyConfig.of("ring-hash"), false));
        mappers.add(new Mapper("jump hash", PolicyConfig.of("jump-hash"), false));
        return mappers;
    }

    public static long trainSeed(long seed, KeyDistribution distribution) {
        return seed * 1_000_003L + distribution.ordinal() * 2L;
    }

    public static long testSeed(long seed, KeyDistribution distribution) {
        return trainSeed(seed, distribution) + 1;
    }

    public static List<Result> run(Settings settings) {
        List<Result> results = new ArrayList<>();
        for (KeyDistribution distribution : settings.distributions()) {
            double[] keys = distribution.keys(settings.keys(), testSeed(settings.seed(), distribution));
            for (Mapper mapper : settings.mappers()) {
                results.add(measure(distribution, mapper, keys, settings.bins()));
            }
        }
        return results;
    }

    static Result measure(KeyDistribution distribution, Mapper mapper, double[] keys, int bins) {
        List<Backend> all = bins(bins);
        BalancingPolicy[] built = new BalancingPolicy[1];
        String[] before = assign(mapper, keys, all, null, built);
        List<Backend> reduced = new ArrayList<>(all);
        reduced.remove(bins / 2); // from the middle: removing the last bin is the one case jump hash is built for
        // The new policy gets the old one as `previous`, as in the proxy, so a policy that carries
        // placement over (the learned hash) is measured the way it runs.
        String[] after = assign(mapper, keys, reduced, built[0], built);

        long[] loads = new long[bins];
        long moved = 0;
        for (int i = 0; i < keys.length; i++) {
            loads[binIndex(before[i])]++;
            if (!before[i].equals(after[i])) {
                moved++;
            }
        }
        BinLoads binLoads = new BinLoads(loads);
        return new Result(distribution.label(), mapper.name(), binLoads.std(), binLoads.maxOverMean(),
                (double) moved / keys.length, 1.0 / bins);
    }

    /** The bin (backend name) of every key, in key order. */
    private static String[] assign(Mapper mapper, double[] keys, List<Backend> backends, BalancingPolicy previous,
            BalancingPolicy[] built) {
        BackendSet set = BackendSet.of(backends);
        BalancingPolicy policy = Policies.create(set, mapper.policy(), previous);
        built[0] = policy;
        String[] assigned = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            Flow flow = new Flow(Double.doubleToLongBits(keys[i]), keys[i], null);
            BackendState bin = policy.pick(flow);
            if (bin == null) {
                throw new IllegalStateException(mapper.name() + " placed no bin for key " + keys[i]);
            }
            if (mapper.holdsKeys()) {
                bin.tryAcquire();
            }
            assigned[i] = bin.backend().name();
        }
        return assigned;
    }

    private static List<Backend> bins(int count) {
        List<Backend> backends = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            backends.add(new Backend(binName(i), "127.0.0.1", 1 + i, 1, 0));
        }
        return backends;
    }

    private static String binName(int index) {
        return String.format("bin-%04d", index);
    }

    private static int binIndex(String name) {
        return Integer.parseInt(name.substring(4));
    }
}
