package dev.fulcrum.qos.sim;

import dev.fulcrum.qos.EfficiencyPredictor;
import dev.fulcrum.qos.tuning.BayesianOptimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PASCAL's evaluation (§5) on the simulator: Table 1 (mean throughput, p99 latency, throughput
 * jitter of the controller and three baselines on a synthetic and a real-world-like workload) and
 * the ablation (with and without Bayesian optimisation; EMA, mean and min predictors).
 *
 * <p>Fairness: every method, baselines included, is tuned by the same Bayesian optimiser with the
 * same budget and objective ({@link #objective}), on a training run (other seeds, shorter), and then
 * measured once on the reported run. Nothing is tuned on the reported run.
 */
public final class StorageExperiment {

    /**
     * @param seconds         simulated seconds of each reported run (the paper: 25,000)
     * @param seed            seed of the reported runs (workload and simulator)
     * @param tuneSeconds     simulated seconds of each tuning run
     * @param tuneIterations  Bayesian-optimisation steps per method and workload (after 6 random points)
     * @param sampleSeconds   period of the time series kept for the plot
     * @param tuneSeeds       training runs per evaluation (seeds seed + 1000, seed + 2000, ...): the
     *                        objective is their mean, so that no method is tuned to one run's bursts
     */
    public record Settings(int seconds, long seed, int tuneSeconds, int tuneIterations, int sampleSeconds, int tuneSeeds) {
        public Settings {
            if (seconds < 100 || tuneSeconds < 100 || tuneIterations < 0 || sampleSeconds < 1 || tuneSeeds < 1) {
                throw new IllegalArgumentException("seconds, tuneSeconds, tuneIterations, sampleSeconds, tuneSeeds: " + seconds
                        + ", " + tuneSeconds + ", " + tuneIterations + ", " + sampleSeconds + ", " + tuneSeeds
                        + " (expected: >= 100, >= 100, >= 0, >= 1, >= 1)");
            }
        }

        public Settings(int seconds, long seed, int tuneSeconds, int tuneIterations, int sampleSeconds) {
            this(seconds, seed, tuneSeconds, tuneIterations, sampleSeconds, 1);
        }
    }

    /** One row of a table: a method on a workload, with the parameters it ran with. */
    public record Row(String workload, String method, double meanThroughput, double p99LatencyMs, double jitter,
            double[] parameters) {
        static Row of(String method, SimulationResult r, double[] parameters) {
            return new Row(r.workload(), method, r.meanThroughput(), r.p99LatencyMs(), r.jitter(), parameters.clone());
        }
    }

    public record Report(Settings settings, List<Row> table, List<Row> ablation,
            Map<String, List<TieredStorageSimulator.Sample>> series) {
    }

    private StorageExperiment() {
    }

    /** What tuning minimises for every method: log p99 + log jitter - 2 log mean throughput. */
    static double objective(SimulationResult r) {
        if (!(r.meanThroughput() > 0) || !(r.p99LatencyMs() > 0) || !(r.jitter() > 0)) {
            return 1e9;
        }
        return Math.log(r.p99LatencyMs()) + Math.log(r.jitter()) - 2 * Math.log(r.meanThroughput());
    }

    static Workload workload(String name, int seconds, long seed) {
        return name.equals("synthetic") ? new SyntheticWorkload(seconds, seed) : new BurstyWorkload(seconds, seed);
    }

    /**
     * Tunes {@code method} on training runs of the named workload (seeds seed + 1000 * i, never the
     * reported seed); the objective is the mean over them. Returns the best parameters.
     */
    static double[] tune(StoragePolicies method, String workload, Settings settings) {
        long firstSeed = settings.seed() + 1000;
        List<Workload> train = new ArrayList<>();
        for (int i = 0; i < settings.tuneSeeds(); i++) {
            train.add(workload(workload, settings.tuneSeconds(), firstSeed + 1000L * i));
        }
        BayesianOptimizer optimizer = new BayesianOptimizer(method.dimensions(), 6, settings.tuneIterations(), firstSeed);
        return optimizer.minimise(p -> {
            double sum = 0;
            for (int i = 0; i < train.size(); i++) {
                sum += objective(TieredStorageSimulator.run(method.create(p), train.get(i), firstSeed + 1000L * i, 3600));
            }
            return sum / train.size();
        }, method.defaults()).best();
    }

    /** Tunes every method independently, in parallel (each tuning is deterministic for its seed). */
    private static Map<StoragePolicies, double[]> tuneAll(List<StoragePolicies> methods, String workload, Settings settings) {
        Map<StoragePolicies, double[]> tuned = new java.util.concurrent.ConcurrentHashMap<>();
        methods.parallelStream().forEach(m -> tuned.put(m, tune(m, workload, settings)));
        return tuned;
    }

    public static Report run(Settings settings) {
        List<Row> table = new ArrayList<>();
        List<Row> ablation = new ArrayList<>();
        Map<String, List<TieredStorageSimulator.Sample>> series = new LinkedHashMap<>();
        for (String name : List.of("synthetic", "real-world-like")) {
            Workload reported = workload(name, settings.seconds(), settings.seed());
            List<StoragePolicies> methods = new ArrayList<>(StoragePolicies.TABLE_1);
            methods.add(StoragePolicies.PASCAL_SHARE);
            Map<StoragePolicies, double[]> allTuned = tuneAll(methods, name, settings);
            double[] pascal = allTuned.get(StoragePolicies.PASCAL);
            for (StoragePolicies method : StoragePolicies.TABLE_1) {
                double[] tuned = allTuned.get(method);
                SimulationResult r = TieredStorageSimulator.run(method.create(tuned), reported, settings.seed(),
                        settings.sampleSeconds());
                table.add(Row.of(method.label(), r, tuned));
                series.put(name + "/" + method.label(), r.samples());
            }
            // The controller as it was: every task, the client included, at its Eq. 15 share; tuned alike.
            double[] share = allTuned.get(StoragePolicies.PASCAL_SHARE);
            ablation.add(Row.of(StoragePolicies.PASCAL_SHARE.label() + " (tuned)",
                    TieredStorageSimulator.run(StoragePolicies.PASCAL_SHARE.create(share), reported, settings.seed(), 3600), share));
            double[] hand = StoragePolicies.PASCAL.defaults();
            ablation.add(Row.of("PASCAL without BO (hand-picked watermarks), EMA",
                    TieredStorageSimulator.run(StoragePolicies.PASCAL.create(hand), reported, settings.seed(), 3600), hand));
            for (String predictor : List.of("ema", "mean", "min")) {
                SimulationResult r = TieredStorageSimulator.run(
                        StoragePolicies.PASCAL.create(pascal, EfficiencyPredictor.named(predictor)), reported, settings.seed(), 3600);
                ablation.add(Row.of("PASCAL with BO, " + predictor, r, pascal));
            }
            // The paper set its baselines by hand; Table 1 here tunes them too. Their first guesses, for comparison.
            for (StoragePolicies method : List.of(StoragePolicies.THRESHOLD, StoragePolicies.PID, StoragePolicies.STATIC)) {
                double[] guess = method.defaults();
                ablation.add(Row.of(method.label() + ", first guess (not tuned)",
                        TieredStorageSimulator.run(method.create(guess), reported, settings.seed(), 3600), guess));
            }
        }
        return new Report(settings, table, ablation, series);
    }
}
