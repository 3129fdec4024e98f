package dev.fulcrum.learned.experiment;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.experiment.BinLoads;
import dev.fulcrum.balancing.experiment.HashBalanceExperiment;
import dev.fulcrum.balancing.experiment.HashBalanceExperiment.Mapper;
import dev.fulcrum.balancing.experiment.KeyDistribution;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelLoader;
import dev.fulcrum.learned.hash.CompiledLearnedHash;
import dev.fulcrum.learned.hash.LearnedHashRing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The learned hash against the classic ones (DLB, Zhu et al., IEEE CLOUD 2021, IV-B2, Figure 4),
 * in two settings; docs/learned-hash.md gives the results and reads them.
 *
 * <ol>
 *   <li>Fresh distinct keys: a model is trained on one seeded key set of each distribution and
 *       measured on another ({@link HashBalanceExperiment}'s test keys), against CH and CHBL with the
 *       paper's hash functions (1 and 160 virtual nodes), Maglev, ring hash and jump hash. The
 *       floor is an ideal random hash's std, sqrt(m/n (1 - 1/n)).</li>
 *   <li>Repeated keys: a population of keys in a few clustered ranges, requests drawn with Zipf
 *       frequencies; trained on one request sample, measured on a fresh one, with and without the
 *       bounded-load wrapper (requests held as they are placed).</li>
 * </ol>
 * Plus the learned hash's remap fractions (on the first distribution): a bin removed, a bin added,
 * and a model swapped for one trained on a fresh sample of the same distribution.
 */
public final class LearnedHashExperiment {

    public record Settings(int trainKeys, int testKeys, int bins, long seed, List<KeyDistribution> distributions,
            int population, int requests, List<Double> zipf, double boundedLoad, Trainer trainer, Path workDir) {
    }

    /** One mapper in one setting. {@code floor} is the random-hash std for that many requests. */
    public record Row(String setting, String distribution, String mapper, double std, double maxOverMean,
            double remapRemove, double floor) {
    }

    public record Remap(String distribution, double removeBin, double addBin, double modelSwap, double ideal) {
    }

    public record Report(Settings settings, List<Row> rows, List<Remap> remaps, List<String> notes) {
    }

    private LearnedHashExperiment() {
    }

    public static Report run(Settings settings) throws Exception {
        List<Row> rows = new ArrayList<>();
        List<Remap> remaps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (KeyDistribution distribution : settings.distributions()) {
            // Remaps need a second model; one distribution's is enough to show them (training is the slow part).
            freshKeys(settings, distribution, rows, remaps, notes, distribution == settings.distributions().get(0));
        }
        for (double s : settings.zipf()) {
            zipf(settings, s, rows, notes);
        }
        return new Report(settings, rows, remaps, notes);
    }

    static double floor(long requests, int bins) {
        return Math.sqrt((double) requests / bins * (1 - 1.0 / bins));
    }

    private static void freshKeys(Settings settings, KeyDistribution distribution, List<Row> rows, List<Remap> remaps,
            List<String> notes, boolean measureRemaps) throws Exception {
        long trainSeed = HashBalanceExperiment.trainSeed(settings.seed(), distribution);
        double[] train = distribution.keys(settings.trainKeys(), trainSeed);
        long started = System.nanoTime();
        Path model = settings.trainer().train(train, null, settings.workDir().resolve(distribution.label() + ".onnx"),
                settings.seed(), distribution.label() + "-a");
        notes.add(String.format("%s: trained on %d keys in %.0f s", distribution.label(), train.length, (System.nanoTime() - started) / 1e9));
        List<Mapper> mappers = new ArrayList<>(HashBalanceExperiment.defaultMappers());
        for (String hash : List.of("bkdr", "murmur3", "python")) {
            mappers.add(new Mapper("CH x160 (" + hash + ")", new PolicyConfig("ring-hash", Map.of("virtualNodes", 160, "hash", hash)), false));
        }
        String name = "sim-" + distribution.label() + "-" + settings.seed();
        mappers.add(new Mapper("learned hash", new PolicyConfig("learned-hash", Map.of("model", model.toString(), "name", name)), false));
        mappers.add(new Mapper("learned hash + bound", new PolicyConfig("learned-hash",
                Map.of("model", model.toString(), "name", name, "boundedLoad", settings.boundedLoad())), true));
        double floor = floor(settings.testKeys(), settings.bins());
        for (HashBalanceExperiment.Result r : HashBalanceExperiment.run(new HashBalanceExperiment.Settings(
                settings.testKeys(), settings.bins(), settings.seed(), List.of(distribution), mappers))) {
            rows.add(new Row("fresh keys", r.distribution(), r.mapper(), r.std(), r.maxOverMean(), r.remapFraction(), floor));
        }

        if (!measureRemaps) {
            return;
        }
        // Remaps of the learned hash: a bin added, a model trained on a fresh sample swapped in.
        double[] test = distribution.keys(settings.testKeys(), HashBalanceExperiment.testSeed(settings.seed(), distribution));
        Path other = settings.trainer().train(distribution.keys(settings.trainKeys(), trainSeed + 7919), null,
                settings.workDir().resolve(distribution.label() + "-b.onnx"), settings.seed() + 1, distribution.label() + "-b");
        try (LoadedModel a = ModelLoader.load(model, ModelKind.LEARNED_HASH);
                LoadedModel b = ModelLoader.load(other, ModelKind.LEARNED_HASH)) {
            CompiledLearnedHash first = CompiledLearnedHash.compile(a);
            CompiledLearnedHash second = CompiledLearnedHash.compile(b);
            LearnedHashRing ring = LearnedHashRing.place(BackendSet.of(bins(settings.bins())), null);
            List<Backend> more = bins(settings.bins() + 1);
            LearnedHashRing grown = LearnedHashRing.place(BackendSet.of(more), ring);
            long added = 0;
            long swapped = 0;
            for (double key : test) {
                String owner = owner(ring, first.position(key));
                added += owner.equals(owner(grown, first.position(key))) ? 0 : 1;
                swapped += owner.equals(owner(ring, second.position(key))) ? 0 : 1;
            }
            double removed = rows.stream().filter(r -> r.distribution().equals(distribution.label()) && r.mapper().equals("learned hash"))
                    .findFirst().orElseThrow().remapRemove();
            remaps.add(new Remap(distribution.label(), removed, (double) added / test.length, (double) swapped / test.length,
                    1.0 / settings.bins()));
        }
    }

    private static String owner(LearnedHashRing ring, double position) {
        return ring.at(0, ring.first((long) (position * LearnedHashRing.SCALE))).backend().name();
    }

    /** Setting 2: a clustered population with Zipf request frequencies. */
    private static void zipf(Settings settings, double s, List<Row> rows, List<String> notes) throws Exception {
        double[] population = population(settings.population(), settings.seed());
        double[] cumulative = zipfCumulative(population.length, s);
        double[] trainRequests = sample(population, cumulative, settings.requests(), settings.seed() * 31 + 1);
        double[] testRequests = sample(population, cumulative, settings.requests(), settings.seed() * 31 + 2);
        Map<Double, Long> counts = new HashMap<>();
        for (double key : trainRequests) {
            counts.merge(key, 1L, Long::sum);
        }
        double[] keys = new double[counts.size()];
        long[] weights = new long[counts.size()];
        int i = 0;
        for (Map.Entry<Double, Long> entry : counts.entrySet()) {
            keys[i] = entry.getKey();
            weights[i++] = entry.getValue();
        }
        String label = "zipf s=" + s;
        long started = System.nanoTime();
        Path model = settings.trainer().train(keys, weights, settings.workDir().resolve("zipf-" + s + ".onnx"), settings.seed(), label);
        notes.add(String.format("%s: %d distinct keys in the training sample of %d requests (population %d), heaviest key %.4f of requests; "
                + "an ideal random hash of keys would give std %.1f; trained in %.0f s", label, keys.length, trainRequests.length,
                population.length, cumulative[0], randomKeyHashStd(cumulative, testRequests.length, settings.bins()),
                (System.nanoTime() - started) / 1e9));
        String name = "sim-zipf-" + s + "-" + settings.seed();
        List<Mapper> mappers = new ArrayList<>();
        for (String type : List.of("maglev", "ring-hash", "jump-hash")) {
            mappers.add(new Mapper(type, PolicyConfig.of(type), false));
        }
        for (String type : List.of("maglev", "ring-hash")) { // jump hash takes no bound
            mappers.add(new Mapper(type + " + bound", new PolicyConfig(type, Map.of("boundedLoad", settings.boundedLoad())), true));
        }
        mappers.add(new Mapper("learned hash", new PolicyConfig("learned-hash", Map.of("model", model.toString(), "name", name)), false));
        mappers.add(new Mapper("learned hash + bound", new PolicyConfig("learned-hash",
                Map.of("model", model.toString(), "name", name, "boundedLoad", settings.boundedLoad())), true));
        double floor = floor(testRequests.length, settings.bins());
        for (Mapper mapper : mappers) {
            BinLoads loads = loads(mapper, testRequests, settings.bins());
            rows.add(new Row("zipf", label, mapper.name(), loads.std(), loads.maxOverMean(), Double.NaN, floor));
        }
        // What the sample sizes allow (ReferenceMappings): a perfect fit of this training sample, and of the true frequencies.
        BinLoads exact = ReferenceMappings.trainingCdf(keys, weights, testRequests, settings.bins());
        rows.add(new Row("zipf", label, "reference: training-sample CDF", exact.std(), exact.maxOverMean(), Double.NaN, floor));
        BinLoads ideal = ReferenceMappings.trueFrequencies(population, cumulative, testRequests, settings.bins());
        rows.add(new Row("zipf", label, "reference: true frequencies", ideal.std(), ideal.maxOverMean(), Double.NaN, floor));
    }

    /**
     * Expected std of bin loads when each key goes to a uniformly random bin and m requests are drawn with the
     * key probabilities p_k: multinomial noise m/n (1 - 1/n) plus the keys' unequal weights, m^2 sum(p_k^2) (1/n)(1 - 1/n).
     */
    static double randomKeyHashStd(double[] cumulative, long requests, int bins) {
        double squares = 0;
        for (int r = 0; r < cumulative.length; r++) {
            double p = cumulative[r] - (r == 0 ? 0 : cumulative[r - 1]);
            squares += p * p;
        }
        double m = requests;
        return Math.sqrt((m + m * m * squares) / bins * (1 - 1.0 / bins));
    }

    /** Distinct keys in four clustered ranges of the 32-bit address space (client addresses as numbers). */
    static double[] population(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed * 7 + 3);
        double[] centers = new double[4];
        for (int c = 0; c < centers.length; c++) {
            centers[c] = Math.floor(random.nextDouble() * 0xF000_0000L);
        }
        java.util.Set<Double> keys = new java.util.LinkedHashSet<>();
        while (keys.size() < size) {
            int c = random.nextInt(centers.length);
            keys.add(centers[c] + Math.floor(random.nextDouble() * (1 << 22) * (c + 1)));
        }
        double[] out = new double[size];
        int i = 0;
        for (double key : keys) {
            out[i++] = key; // insertion order is random: rank i is a random key of the population
        }
        return out;
    }

    /** P(rank <= r), ranks from 1, weights r^-s. */
    static double[] zipfCumulative(int size, double s) {
        double[] cumulative = new double[size];
        double total = 0;
        for (int r = 0; r < size; r++) {
            total += Math.pow(r + 1, -s);
            cumulative[r] = total;
        }
        for (int r = 0; r < size; r++) {
            cumulative[r] /= total;
        }
        return cumulative;
    }

    static double[] sample(double[] population, double[] cumulative, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            int rank = Arrays.binarySearch(cumulative, random.nextDouble());
            rank = rank >= 0 ? rank : Math.min(-rank - 1, cumulative.length - 1);
            out[i] = population[rank];
        }
        return out;
    }

    private static BinLoads loads(Mapper mapper, double[] requests, int bins) {
        BackendSet set = BackendSet.of(bins(bins));
        BalancingPolicy policy = Policies.create(set, mapper.policy(), null);
        Map<String, Integer> index = new HashMap<>();
        for (BackendState state : set.states()) {
            index.put(state.backend().name(), state.index());
        }
        long[] loads = new long[bins];
        for (double key : requests) {
            BackendState bin = policy.pick(new Flow(Double.doubleToLongBits(key), key, null));
            if (mapper.holdsKeys()) {
                bin.tryAcquire();
            }
            loads[bin.index()]++;
        }
        return new BinLoads(loads);
    }

    static List<Backend> bins(int count) {
        List<Backend> backends = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            backends.add(new Backend(String.format("bin-%04d", i), "127.0.0.1", 1 + i, 1, 0));
        }
        return backends;
    }
}
