package dev.fulcrum.loadtest.testbed;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The online experiment of Aquarius (Yao et al., MLSys@NeurIPS 2021, section 5.2, Figure 6): the
 * same emulated cluster and Poisson workload behind Fulcrum with each policy in turn, across rates;
 * flow completion time at the client and Jain's fairness of the backends' utilisation. Rounds are
 * interleaved (each round runs every policy at every rate, the policy order rotating from round to
 * round) and the tables report medians over rounds, so a slow spell of the shared machine does not
 * land on one policy only.
 *
 * <pre>java -cp fulcrum-loadtest.jar dev.fulcrum.loadtest.testbed.TestbedCompare --out DIR --model FILE
 *     [--policies maglev,least-connections,load-aware] [--workload for-loop] [--rates 0.7,0.9]
 *     [--rounds 3] [--seconds 15] [--seed 1]</pre>
 *
 * A policy {@code load-aware:MAPPING} is load-aware with that {@code mapping} (capacity, inverse-load).
 */
public final class TestbedCompare {

    record Options(Path out, Path model, List<String> policies, Workload workload, List<Double> rates, int rounds, int seconds,
                   long seed) {

        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " (expected: compare --out DIR --model FILE [--policies LIST]"
                            + " [--workload NAME] [--rates LIST] [--rounds N] [--seconds N] [--seed N])");
                }
                values.put(args[i], args[++i]);
            }
            for (String key : values.keySet()) {
                if (!List.of("--out", "--model", "--policies", "--workload", "--rates", "--rounds", "--seconds", "--seed").contains(key)) {
                    throw new IllegalArgumentException(key + ": unknown option");
                }
            }
            if (!values.containsKey("--out")) {
                throw new IllegalArgumentException("--out: absent (expected: a directory for the results)");
            }
            List<String> policies = Arrays.asList(values.getOrDefault("--policies", "maglev,least-connections,load-aware").split(","));
            Path model = values.containsKey("--model") ? Path.of(values.get("--model")).toAbsolutePath() : null;
            if (policies.stream().anyMatch(p -> p.startsWith(LOAD_AWARE)) && (model == null || !Files.isRegularFile(model))) {
                throw new IllegalArgumentException("--model: " + model + " (expected: a load-estimator .onnx file for load-aware)");
            }
            List<Double> rates = Arrays.stream(values.getOrDefault("--rates", "0.7,0.9").split(",")).map(Double::parseDouble).toList();
            int rounds = Integer.parseInt(values.getOrDefault("--rounds", "3"));
            int seconds = Integer.parseInt(values.getOrDefault("--seconds", "15"));
            if (rounds < 1 || seconds < 1 || seconds > 600) {
                throw new IllegalArgumentException("--rounds " + rounds + ", --seconds " + seconds + " (expected: >= 1, 1 to 600)");
            }
            return new Options(Path.of(values.get("--out")), model, policies, Workload.of(values.getOrDefault("--workload", "for-loop")),
                    rates, rounds, seconds, Long.parseLong(values.getOrDefault("--seed", "1")));
        }
    }

    static final String LOAD_AWARE = "load-aware";

    record Run(int round, String policy, double fraction, TrafficGenerator.Result result, double jain, double[] utilisation) {
    }

    private TestbedCompare() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("testbed compare: " + e.getMessage());
            System.exit(2);
            return;
        }
        compare(options);
    }

    static List<Run> compare(Options options) throws Exception {
        Files.createDirectories(options.out().resolve("configs"));
        List<Run> runs = new ArrayList<>();
        try (BackendGroups cluster = new BackendGroups(BackendGroups.DEFAULT)) {
            double capacity = cluster.capacity(options.workload());
            for (int round = 0; round < options.rounds(); round++) {
                for (double fraction : options.rates()) {
                    for (int p = 0; p < options.policies().size(); p++) {
                        String policy = options.policies().get((p + round) % options.policies().size());
                        Run run = runOne(cluster, options, policy, round, fraction, fraction * capacity);
                        runs.add(run);
                        cluster.awaitIdle(15_000);
                    }
                }
            }
            Files.writeString(options.out().resolve("compare.json"), json(options, capacity, runs));
            Files.writeString(options.out().resolve("compare.md"), table(options, runs));
            System.out.print(table(options, runs));
        }
        return runs;
    }

    private static Run runOne(BackendGroups cluster, Options options, String policy, int round, double fraction, double rate)
            throws Exception {
        String name = String.format(Locale.ROOT, "r%d-%s-%03d", round, policy, Math.round(fraction * 100));
        Path config = options.out().resolve("configs").resolve(name + ".yaml");
        Files.writeString(config, configYaml(cluster, policy, options.model()));
        List<EmulatedBackend> backends = cluster.backends();
        double[] utilisation = new double[backends.size()];
        int[] samples = {0};
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "testbed-utilisation");
            thread.setDaemon(true);
            return thread;
        });
        try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(config))) {
            InetSocketAddress target = proxy.listenerAddress("web");
            Thread.sleep(1000); // the first ticks give the estimator its first windows
            long arrivalsEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.seconds());
            sampler.scheduleAtFixedRate(() -> {
                if (System.nanoTime() < arrivalsEnd) {
                    for (int i = 0; i < backends.size(); i++) {
                        utilisation[i] += backends.get(i).stats().utilisation();
                    }
                    samples[0]++;
                }
            }, 250, 250, TimeUnit.MILLISECONDS);
            TrafficGenerator generator = new TrafficGenerator(target, options.workload(), rate, Duration.ofSeconds(options.seconds()),
                    options.seed() * 1000 + round * 7919L + Math.round(rate));
            TrafficGenerator.Result result = generator.run(Duration.ofSeconds(10));
            sampler.shutdown();
            sampler.awaitTermination(2, TimeUnit.SECONDS);
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < utilisation.length; i++) {
                utilisation[i] /= Math.max(1, samples[0]);
                sum += utilisation[i];
                squares += utilisation[i] * utilisation[i];
            }
            double jain = squares == 0 ? 1 : sum * sum / (utilisation.length * squares);
            System.err.printf(Locale.ROOT, "compare: %s: %d completed, %d failed, FCT mean %.0f ms, p99 %.0f ms, Jain %.3f%n", name,
                    result.completed(), result.failed(), result.fctMeanMillis(), result.fctP99Millis(), jain);
            return new Run(round, policy, fraction, result, jain, utilisation);
        } finally {
            sampler.shutdownNow();
        }
    }

    /** Fulcrum for one run: the policy under test, telemetry every 250 ms (the load estimator's input), no dataset. */
    static String configYaml(BackendGroups cluster, String policy, Path model) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("runtime: {transport: auto, eventLoops: 1, drainTimeout: 1s, watchConfig: false}\n");
        yaml.append("admin: {address: off}\n");
        yaml.append("telemetry: {tick: ").append(TestbedCollect.TICK_MILLIS).append("ms}\n");
        yaml.append("listeners:\n  web: {bind: 127.0.0.1:0, pool: web, key: client-address-port, connectTimeout: 5s}\n");
        // "load-aware:inverse-load" is load-aware with that mapping, so two mappings can be compared in one run.
        String[] typeAndMapping = policy.split(":", 2);
        yaml.append("pools:\n  web:\n    policy: {type: ").append(typeAndMapping[0]);
        if (typeAndMapping[0].equals(LOAD_AWARE)) {
            yaml.append(", model: \"").append(model.toString().replace("\\", "/")).append("\", name: testbed-load");
            if (typeAndMapping.length == 2) {
                yaml.append(", mapping: ").append(typeAndMapping[1]);
            }
        }
        yaml.append("}\n    backends:\n");
        for (EmulatedBackend b : cluster.backends()) {
            yaml.append("      - {name: ").append(b.name()).append(", address: 127.0.0.1:").append(b.address().getPort()).append("}\n");
        }
        return yaml.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String table(Options options, List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Workload %s, %d interleaved rounds of %d s; medians over rounds.%n%n",
                options.workload().label(), options.rounds(), options.seconds()));
        md.append("| rate (of capacity) | policy | FCT mean (ms) | FCT p50 | FCT p99 | failed (503) | Jain (utilisation) |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (double fraction : options.rates()) {
            for (String policy : options.policies()) {
                List<Run> mine = runs.stream().filter(r -> r.policy().equals(policy) && r.fraction() == fraction).toList();
                md.append(String.format(Locale.ROOT, "| %.0f%% | %s | %.0f | %.0f | %.0f | %.0f | %.3f |%n", fraction * 100, policy,
                        median(mine.stream().map(r -> r.result().fctMeanMillis()).toList()),
                        median(mine.stream().map(r -> r.result().fctP50Millis()).toList()),
                        median(mine.stream().map(r -> r.result().fctP99Millis()).toList()),
                        median(mine.stream().map(r -> (double) r.result().failed()).toList()),
                        median(mine.stream().map(Run::jain).toList())));
            }
        }
        return md.toString();
    }

    private static String json(Options options, double capacity, List<Run> runs) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "{\"workload\":\"%s\",\"capacity\":%.2f,\"rounds\":%d,\"seconds\":%d,\"seed\":%d,"
                + "\"model\":\"%s\",\"runs\":[%n", options.workload().label(), capacity, options.rounds(), options.seconds(),
                options.seed(), options.model()));
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            TrafficGenerator.Result x = r.result();
            out.append(String.format(Locale.ROOT, "{\"round\":%d,\"policy\":\"%s\",\"fraction\":%.3f,\"rate\":%.2f,\"arrivals\":%d,"
                            + "\"completed\":%d,\"failed\":%d,\"unfinished\":%d,\"fctMeanMs\":%.2f,\"fctP50Ms\":%.2f,\"fctP90Ms\":%.2f,"
                            + "\"fctP99Ms\":%.2f,\"jain\":%.4f,\"utilisation\":%s}%s%n", r.round(), r.policy(), r.fraction(), x.rate(),
                    x.arrivals(), x.completed(), x.failed(), x.unfinished(), x.fctMeanMillis(), x.fctP50Millis(), x.fctP90Millis(),
                    x.fctP99Millis(), r.jain(), Arrays.toString(r.utilisation()), i + 1 < runs.size() ? "," : ""));
        }
        return out.append("]}\n").toString();
    }
}
