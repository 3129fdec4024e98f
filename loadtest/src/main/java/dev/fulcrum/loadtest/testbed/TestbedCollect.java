package dev.fulcrum.loadtest.testbed;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The offline experiment of Aquarius (Yao et al. 2021, §5.1) on loopback: the emulated cluster of
 * {@link BackendGroups#DEFAULT} behind an in-process Fulcrum (Maglev, telemetry every 250 ms, the
 * CSV dataset with each backend's busy slots as ground truth), loaded by a {@link TrafficGenerator}
 * at each rate of a sweep (fractions of the cluster's capacity) for each workload.
 *
 * <p>Writes into {@code --out}: {@code <workload>-<pct>.csv} (Fulcrum's dataset of that run),
 * {@code <workload>-<pct>-truth.csv} (every backend's busy, queue, utilisation each tick),
 * {@code configs/<workload>-<pct>.yaml} and {@code summary.json} (the cluster, each run's rate and
 * the FCTs the clients measured). Each run is bounded: {@code seconds} of arrivals, then at most
 * 10 s for the last replies and 15 s for the backends to drain before the next run.
 *
 * <pre>java -cp fulcrum-loadtest.jar dev.fulcrum.loadtest.testbed.TestbedCollect --out DIR [--quick]
 *     [--workloads for-loop,file,wiki] [--rates 0.3,0.5,0.7,0.9,1.1] [--seconds 20] [--seed 1]</pre>
 */
public final class TestbedCollect {

    static final long TICK_MILLIS = 250;

    /** What to run: {@code --quick} is one workload at two rates for a few seconds, for tests. */
    record Options(Path out, List<Workload> workloads, List<Double> rates, int seconds, long seed) {

        static Options parse(String[] args) {
            Path out = null;
            boolean quick = false;
            String workloads = null;
            String rates = null;
            Integer seconds = null;
            long seed = 1;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "collect" -> { }
                    case "--quick" -> quick = true;
                    case "--out" -> out = Path.of(value(args, ++i, arg));
                    case "--workloads" -> workloads = value(args, ++i, arg);
                    case "--rates" -> rates = value(args, ++i, arg);
                    case "--seconds" -> seconds = Integer.parseInt(value(args, ++i, arg));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("argument " + i + ": " + arg
                            + " (expected: collect --out DIR [--quick] [--workloads LIST] [--rates LIST] [--seconds N] [--seed N])");
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("--out: absent (expected: a directory to write the dataset into)");
            }
            List<Workload> w = Arrays.stream((workloads != null ? workloads : quick ? "for-loop" : "for-loop,file,wiki").split(","))
                    .map(Workload::of).toList();
            List<Double> r = Arrays.stream((rates != null ? rates : quick ? "0.3,1.0" : "0.3,0.5,0.7,0.9,1.1").split(","))
                    .map(Double::parseDouble).toList();
            if (r.stream().anyMatch(x -> !(x > 0 && x <= 3))) {
                throw new IllegalArgumentException("--rates: " + r + " (expected: fractions of capacity in (0, 3])");
            }
            int s = seconds != null ? seconds : quick ? 5 : 20;
            if (s <= 0 || s > 600) {
                throw new IllegalArgumentException("--seconds: " + s + " (expected: 1 to 600)");
            }
            return new Options(out, w, r, s, seed);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + ": no value (expected one after it)");
            }
            return args[i];
        }
    }

    private TestbedCollect() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("testbed: " + e.getMessage());
            System.exit(2);
            return;
        }
        collect(options);
    }

    /** Runs the sweep and returns the path of {@code summary.json}. */
    static Path collect(Options options) throws Exception {
        Files.createDirectories(options.out().resolve("configs"));
        List<String> runs = new ArrayList<>();
        try (BackendGroups cluster = new BackendGroups(BackendGroups.DEFAULT)) {
            for (Workload workload : options.workloads()) {
                double capacity = cluster.capacity(workload);
                for (double fraction : options.rates()) {
                    String name = String.format(Locale.ROOT, "%s-%03d", workload.label(), Math.round(fraction * 100));
                    double rate = fraction * capacity;
                    System.err.printf(Locale.ROOT, "testbed: %s: %.1f requests/s (%.0f%% of %.1f), %d s%n",
                            name, rate, fraction * 100, capacity, options.seconds());
                    TrafficGenerator.Result result = runOne(cluster, options, workload, rate, name);
                    boolean idle = cluster.awaitIdle(15_000);
                    runs.add(runJson(name, fraction, capacity, result, idle));
                    System.err.printf(Locale.ROOT, "testbed: %s: %d completed, %d failed, FCT p50 %.1f ms, p99 %.1f ms%n",
                            name, result.completed(), result.failed(), result.fctP50Millis(), result.fctP99Millis());
                }
            }
            String backends = cluster.backends().stream()
                    .map(b -> String.format(Locale.ROOT, "{\"name\":\"%s\",\"slots\":%d,\"speed\":%s}", b.name(), b.slots(), b.speed()))
                    .collect(Collectors.joining(","));
            String summary = String.format(Locale.ROOT,
                    "{\"tickMillis\":%d,\"seconds\":%d,\"seed\":%d,\"policy\":\"maglev\",\"backends\":[%s],\"runs\":[%n%s%n]}%n",
                    TICK_MILLIS, options.seconds(), options.seed(), backends, String.join(",\n", runs));
            Path file = options.out().resolve("summary.json");
            Files.writeString(file, summary);
            return file;
        }
    }

    private static TrafficGenerator.Result runOne(BackendGroups cluster, Options options, Workload workload, double rate, String name)
            throws IOException, ConfigException, InterruptedException {
        Path config = options.out().resolve("configs").resolve(name + ".yaml");
        Files.writeString(config, configYaml(cluster, options.out().resolve(name + ".csv").toAbsolutePath()));
        try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(config));
             TruthRecorder truth = new TruthRecorder(cluster.backends(), options.out().resolve(name + "-truth.csv"), TICK_MILLIS)) {
            InetSocketAddress target = proxy.listenerAddress("web");
            // Two seconds at rest first: each dataset starts from an idle cluster, and the proxy's
            // ground-truth client (new with each proxy) gets past its first, slow fetches, which
            // miss the 200 ms timeout on a loaded machine and leave empty cells.
            Thread.sleep(2000);
            TrafficGenerator generator = new TrafficGenerator(target, workload, rate, Duration.ofSeconds(options.seconds()),
                    options.seed() * 1000 + Math.round(rate));
            TrafficGenerator.Result result = generator.run(Duration.ofSeconds(10));
            Thread.sleep(2 * TICK_MILLIS);
            return result;
        }
    }

    /** Fulcrum's configuration for one run: Maglev keyed on address and port (all clients are 127.0.0.1). */
    static String configYaml(BackendGroups cluster, Path dataset) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("runtime: {transport: auto, eventLoops: 1, drainTimeout: 1s, watchConfig: false}\n");
        yaml.append("admin: {address: off}\n");
        yaml.append("telemetry:\n  tick: ").append(TICK_MILLIS).append("ms\n  dataset:\n");
        yaml.append("    path: \"").append(dataset.toString().replace("\\", "/")).append("\"\n");
        yaml.append("    groundTruthField: busy\n    groundTruthTimeout: 1s\n    groundTruth:\n");
        for (EmulatedBackend b : cluster.backends()) {
            yaml.append("      web/").append(b.name()).append(": \"http://127.0.0.1:").append(b.statsAddress().getPort()).append("/\"\n");
        }
        yaml.append("listeners:\n  web: {bind: 127.0.0.1:0, pool: web, key: client-address-port, connectTimeout: 5s}\n");
        yaml.append("pools:\n  web:\n    policy: {type: maglev}\n    backends:\n");
        for (EmulatedBackend b : cluster.backends()) {
            yaml.append("      - {name: ").append(b.name()).append(", address: 127.0.0.1:").append(b.address().getPort()).append("}\n");
        }
        return yaml.toString();
    }

    private static String runJson(String name, double fraction, double capacity, TrafficGenerator.Result r, boolean drained) {
        return String.format(Locale.ROOT,
                "{\"name\":\"%s\",\"workload\":\"%s\",\"fraction\":%.3f,\"capacity\":%.2f,\"rate\":%.2f,\"dataset\":\"%s.csv\","
                        + "\"truth\":\"%s-truth.csv\",\"arrivals\":%d,\"completed\":%d,\"failed\":%d,\"rejected\":%d,\"dropped\":%d,"
                        + "\"unfinished\":%d,\"bytes\":%d,\"fctMeanMs\":%.2f,\"fctP50Ms\":%.2f,\"fctP90Ms\":%.2f,\"fctP99Ms\":%.2f,"
                        + "\"fctMaxMs\":%.2f,\"drainedAfter\":%b}",
                name, r.workload(), fraction, capacity, r.rate(), name, name, r.arrivals(), r.completed(), r.failed(),
                r.rejected(), r.dropped(), r.unfinished(), r.bytes(), r.fctMeanMillis(), r.fctP50Millis(), r.fctP90Millis(),
                r.fctP99Millis(), r.fctMaxMillis(), drained);
    }
}
