package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.TestBackends;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measurements of the hashing policies shared by their property tests and by {@link PropertyReport}:
 * keys are drawn from a seeded generator, so every number is reproducible.
 */
public final class HashingProperties {

    /** The seed of every key set, unless a test says otherwise. */
    public static final long SEED = 20260101L;
    public static final int KEYS = 100_000;

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private HashingProperties() {
    }

    public static long[] keys(long seed, int count) {
        return new SplittableRandom(seed).longs(count).toArray();
    }

    /**
     * Keys with a Zipf popularity: {@code count} draws from {@code distinct} keys, the key of rank r
     * drawn with probability proportional to {@code 1 / r^exponent}. Hot keys are what bounded load
     * is for.
     */
    public static long[] zipfKeys(long seed, int count, int distinct, double exponent) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] population = random.longs(distinct).toArray();
        double[] cumulative = new double[distinct];
        double total = 0;
        for (int r = 0; r < distinct; r++) {
            total += 1 / Math.pow(r + 1, exponent);
            cumulative[r] = total;
        }
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            int rank = Arrays.binarySearch(cumulative, random.nextDouble() * total);
            keys[i] = population[Math.min(distinct - 1, rank >= 0 ? rank : -rank - 1)];
        }
        return keys;
    }

    public static Flow flow(long key) {
        return new Flow(key, null, CLIENT);
    }

    public static BalancingPolicy policy(String type, Map<String, Object> parameters, BackendSet backends) {
        return Policies.create(backends, new PolicyConfig(type, parameters), null);
    }

    /** N backends of weight 1, named as {@link TestBackends#name}. */
    public static BackendSet uniform(int n) {
        int[] weights = new int[n];
        Arrays.fill(weights, 1);
        return TestBackends.backends(weights);
    }

    /** Backends with these names (and weight 1). */
    public static BackendSet named(List<String> names) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            backends.add(new Backend(names.get(i), "127.0.0.1", 9000 + i % 50000, 1, 0));
        }
        return BackendSet.of(backends);
    }

    public static List<String> names(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(TestBackends.name(i));
        }
        return names;
    }

    /** Picks per backend index. */
    public static int[] counts(BalancingPolicy policy, long[] keys) {
        int[] counts = new int[policy.backends().size()];
        for (long key : keys) {
            counts[policy.pick(flow(key)).index()]++;
        }
        return counts;
    }

    /** The backend name each key goes to ({@code null} when none). */
    public static String[] assignment(BalancingPolicy policy, long[] keys) {
        String[] names = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            BackendState state = policy.pick(flow(keys[i]));
            names[i] = state == null ? null : state.backend().name();
        }
        return names;
    }

    public static double maxOverMean(int[] counts) {
        long total = 0;
        int max = 0;
        for (int c : counts) {
            total += c;
            max = Math.max(max, c);
        }
        return max / ((double) total / counts.length);
    }

    public static double maxOverMean(double[] shares) {
        double total = 0;
        double max = 0;
        for (double s : shares) {
            total += s;
            max = Math.max(max, s);
        }
        return max / (total / shares.length);
    }

    /** Max/mean of the same number of keys thrown uniformly at random: the sampling noise alone. */
    public static double idealMaxOverMean(long seed, int keys, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] counts = new int[n];
        for (int i = 0; i < keys; i++) {
            counts[random.nextInt(n)]++;
        }
        return maxOverMean(counts);
    }

    /** The largest |share / weight share - 1| over the backends. */
    public static double worstWeightError(int[] counts, BackendSet backends) {
        long total = 0;
        long weight = 0;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            weight += backends.get(i).weight();
        }
        double worst = 0;
        for (int i = 0; i < counts.length; i++) {
            double expected = (double) backends.get(i).weight() / weight;
            worst = Math.max(worst, Math.abs((double) counts[i] / total / expected - 1));
        }
        return worst;
    }

    /** The fraction of keys whose backend differs between two assignments. */
    public static double movedFraction(String[] before, String[] after) {
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            if (!java.util.Objects.equals(before[i], after[i])) {
                moved++;
            }
        }
        return (double) moved / before.length;
    }

    /** The fraction of keys assigned to {@code name}. */
    public static double share(String[] assignment, String name) {
        int count = 0;
        for (String s : assignment) {
            if (name.equals(s)) {
                count++;
            }
        }
        return (double) count / assignment.length;
    }

    /** Keys that moved although they were not on {@code removed} before and are not on {@code added} after. */
    public static int needlessMoves(String[] before, String[] after, String removed, String added) {
        int needless = 0;
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i]) && !before[i].equals(removed) && !after[i].equals(added)) {
                needless++;
            }
        }
        return needless;
    }

    /** Bytes the current thread allocates while running {@code action}, less the cost of measuring. */
    public static long allocatedBytes(Runnable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long calibrateStart = threads.getThreadAllocatedBytes(id);
        long calibrateEnd = threads.getThreadAllocatedBytes(id);
        long start = threads.getThreadAllocatedBytes(id);
        action.run();
        long end = threads.getThreadAllocatedBytes(id);
        return Math.max(0, (end - start) - (calibrateEnd - calibrateStart));
    }
}
