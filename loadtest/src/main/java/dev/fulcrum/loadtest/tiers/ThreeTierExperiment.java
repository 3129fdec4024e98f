package dev.fulcrum.loadtest.tiers;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.loadtest.testbed.BackendGroups;
import dev.fulcrum.loadtest.testbed.EmulatedBackend;
import dev.fulcrum.loadtest.testbed.TrafficGenerator;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.ProxyViews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Three Fulcrum tiers on loopback (Mizutani, Sensors 2022, §4, scaled to one machine): one parent
 * Fulcrum in front of three child Fulcrums (least-connections), each in front of two emulated
 * servers of 4 slots (for-loop workload, 100 ms mean work at speed 1; past its slots a server
 * queues, and latency climbs). Children's server speeds are {@code SPEED} x 1.1, 0.9 and 1.0 (the
 * paper's capacities vary by about 10%). Child C also serves "another parent": Poisson cross
 * traffic sent to it directly, the flows the parent can only learn of from C's feedback.
 *
 * <ul>
 *   <li>{@code collect}: the parent runs the q-network policy without a model (its fallback, random,
 *       picks: exploration) once with feedback (beta 0.5, children's /api/feedback polled) and once
 *       without (IFS-RL: beta 1, no children's state), writing the transitions train-q learns from
 *       to {@code OUT/transitions-feedback.ndjson} and {@code OUT/transitions-ifs-rl.ndjson}.</li>
 *   <li>{@code compare}: interleaved rounds, each running random (VLB), maglev (hash), IFS-RL (its
 *       model) and q-network with feedback (its model) on the same arrivals (one seed per round).
 *       Prints a row per run, then per policy the medians over rounds of the client p99 FCT and of
 *       the share of time any server was past capacity (queue > 0, sampled every 50 ms); rows also
 *       go to {@code OUT/compare.tsv}.</li>
 * </ul>
 *
 * <p>Usage: {@code ThreeTierExperiment collect OUT [SECONDS=40] [MAIN_RATE=14] [CROSS_RATE=7] [SPEED=0.1]}
 * and {@code ThreeTierExperiment compare OUT FEEDBACK_MODEL IFS_RL_MODEL [SECONDS=30] [ROUNDS=3]
 * [MAIN_RATE=14] [CROSS_RATE=7] [SPEED=0.1] [TEMPERATURE=1]} (the q-network policies' Boltzmann
 * temperature). Bounded: each run lasts SECONDS plus up to 20 s of grace and 15 s of waiting for
 * the servers to drain.
 */
public final class ThreeTierExperiment {

    static final List<String> CHILDREN = List.of("child-a", "child-b", "child-c");
    static final double[] SPEED_FACTORS = {1.1, 0.9, 1.0};
    static final List<String> POLICIES = List.of("random", "maglev", "ifs-rl", "feedback");
    static final String HEADER = "round policy           completed failed unfinished fct_p50_ms fct_p99_ms share_a share_b share_c past_capacity";

    private ThreeTierExperiment() {
    }

    /** One run's figures. */
    record Row(int round, String policy, TrafficGenerator.Result main, double[] shares, double pastCapacity) {
        String line() {
            return String.format(Locale.ROOT, "%5d %-16s %9d %6d %10d %10.1f %10.1f %7.3f %7.3f %7.3f %13.3f", round, policy,
                    main.completed(), main.failed(), main.unfinished(), main.fctP50Millis(), main.fctP99Millis(),
                    shares[0], shares[1], shares[2], pastCapacity);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("collect") || args[0].equals("compare")) || args[0].equals("compare") && args.length < 4) {
            System.err.println("usage: ThreeTierExperiment collect OUT [SECONDS=40] [MAIN_RATE=14] [CROSS_RATE=7] [SPEED=0.1]\n"
                    + "       ThreeTierExperiment compare OUT FEEDBACK_MODEL IFS_RL_MODEL [SECONDS=30] [ROUNDS=3] [MAIN_RATE=14]"
                    + " [CROSS_RATE=7] [SPEED=0.1] [TEMPERATURE=1]");
            System.exit(2);
        }
        Path out = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(out);
        if (args[0].equals("collect")) {
            collect(out, intArg(args, 2, 40), doubleArg(args, 3, 14), doubleArg(args, 4, 7), doubleArg(args, 5, 0.1));
        } else {
            Map<String, Path> models = Map.of("feedback", Path.of(args[2]).toAbsolutePath(), "ifs-rl", Path.of(args[3]).toAbsolutePath());
            List<Row> rows = compare(out, models, intArg(args, 4, 30), intArg(args, 5, 3), doubleArg(args, 6, 14),
                    doubleArg(args, 7, 7), doubleArg(args, 8, 0.1), doubleArg(args, 9, 1.0));
            printMedians(rows);
        }
    }

    static void collect(Path out, int seconds, double mainRate, double crossRate, double speed) throws Exception {
        System.out.println(HEADER);
        Path untrained = out.resolve("untrained.onnx"); // absent: the fallback (random) picks, the policy still records
        try (BackendGroups servers = servers(speed)) {
            for (String variant : List.of("feedback", "ifs-rl")) {
                Files.deleteIfExists(out.resolve("transitions-" + variant + ".ndjson"));
                Row row = run(servers, 0, variant, untrained, out.resolve("transitions-" + variant + ".ndjson"), out, seconds,
                        mainRate, crossRate, 7L, 1.0);
                System.out.println(new Row(0, "collect-" + variant, row.main(), row.shares(), row.pastCapacity()).line());
                System.out.flush();
                servers.awaitIdle(15_000);
            }
        }
    }

    static List<Row> compare(Path out, Map<String, Path> models, int seconds, int rounds, double mainRate, double crossRate,
            double speed, double temperature) throws Exception {
        System.out.println(HEADER);
        Path tsv = out.resolve("compare.tsv");
        Files.writeString(tsv, HEADER.replaceAll(" +", "\t") + "\n");
        List<Row> rows = new ArrayList<>();
        try (BackendGroups servers = servers(speed)) {
            for (int round = 1; round <= rounds; round++) {
                for (String policy : POLICIES) { // interleaved; the same arrivals (seed) for every policy of a round
                    Row row = run(servers, round, policy, models.get(policy), null, out, seconds, mainRate, crossRate, 1000L * round,
                            temperature);
                    rows.add(row);
                    System.out.println(row.line());
                    System.out.flush();
                    Files.writeString(tsv, row.line().trim().replaceAll(" +", "\t") + "\n", StandardOpenOption.APPEND);
                    servers.awaitIdle(15_000);
                }
            }
        }
        return rows;
    }

    static BackendGroups servers(double speed) throws InterruptedException {
        return new BackendGroups(List.of(new BackendGroups.Group("a", 2, 4, speed * SPEED_FACTORS[0]),
                new BackendGroups.Group("b", 2, 4, speed * SPEED_FACTORS[1]), new BackendGroups.Group("c", 2, 4, speed * SPEED_FACTORS[2])));
    }

    /** Medians over rounds, per policy: p99 FCT and the share of time any server was past capacity. */
    static Map<String, double[]> medians(List<Row> rows) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String policy : POLICIES) {
            List<Row> mine = rows.stream().filter(r -> r.policy().equals(policy)).toList();
            if (!mine.isEmpty()) {
                out.put(policy, new double[] {median(mine.stream().mapToDouble(r -> r.main().fctP99Millis()).toArray()),
                        median(mine.stream().mapToDouble(Row::pastCapacity).toArray()),
                        median(mine.stream().mapToDouble(r -> r.main().fctP50Millis()).toArray()), mine.size()});
            }
        }
        return out;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static void printMedians(List<Row> rows) {
        System.out.println();
        System.out.println("policy           rounds median_fct_p99_ms median_fct_p50_ms median_past_capacity");
        medians(rows).forEach((policy, m) -> System.out.printf(Locale.ROOT, "%-16s %6d %17.1f %17.1f %20.3f%n", policy, (int) m[3],
                m[0], m[2], m[1]));
        System.out.flush();
    }

    private static Row run(BackendGroups servers, int round, String policy, Path model, Path transitions, Path out, int seconds,
            double mainRate, double crossRate, long seed, double temperature) throws Exception {
        List<EmulatedBackend> all = servers.backends();
        Path dir = out.resolve("runs").resolve(policy + "-" + round);
        Files.createDirectories(dir);
        List<FulcrumProxy> children = new ArrayList<>();
        try {
            for (int k = 0; k < CHILDREN.size(); k++) {
                children.add(TierExperiment.start(dir.resolve(CHILDREN.get(k) + ".yaml"),
                        TierExperiment.childYaml(all.subList(2 * k, 2 * k + 2))));
            }
            String parentYaml = parentYaml(policy, model, transitions, children, temperature);
            try (FulcrumProxy parent = TierExperiment.start(dir.resolve("parent.yaml"), parentYaml)) {
                Thread.sleep(1000); // a few ticks: the parent has polled its children
                TierExperiment.Load load = TierExperiment.drive(all, parent, children.get(2), mainRate, crossRate, seconds, seed);
                return new Row(round, policy, load.main(), shares(parent), load.queuedShare());
            }
        } finally {
            for (FulcrumProxy child : children) {
                child.close();
            }
            ModelRegistry.global().close();
        }
    }

    private static double[] shares(FulcrumProxy parent) {
        double[] flows = new double[CHILDREN.size()];
        double total = 0;
        for (ProxyViews.PoolBackends pool : parent.backends().pools()) {
            for (ProxyViews.BackendTotals backend : pool.backends()) {
                int k = CHILDREN.indexOf(backend.name());
                if (k >= 0) {
                    flows[k] += backend.flows();
                    total += backend.flows();
                }
            }
        }
        for (int k = 0; k < flows.length; k++) {
            flows[k] = total == 0 ? 0 : flows[k] / total;
        }
        return flows;
    }

    static String parentYaml(String policy, Path model, Path transitions, List<FulcrumProxy> children, double temperature) {
        String record = (transitions == null ? "" : ", transitions: \"" + transitions + "\"") + ", temperature: " + temperature;
        StringBuilder feedback = new StringBuilder();
        for (int k = 0; k < children.size(); k++) {
            feedback.append(k == 0 ? "" : ", ").append(CHILDREN.get(k)).append(": \"").append(TierExperiment.feedback(children.get(k))).append('"');
        }
        String type = switch (policy) {
            case "random" -> "{type: random}";
            case "maglev" -> "{type: maglev}";
            case "ifs-rl" -> "{type: q-network, model: \"" + model + "\", name: ifs-rl, beta: 1" + record + "}";
            case "feedback" -> "{type: q-network, model: \"" + model + "\", name: feedback, beta: 0.5" + record
                    + ", feedback: {" + feedback + "}}";
            default -> throw new IllegalArgumentException("policy: " + policy);
        };
        StringBuilder yaml = new StringBuilder(TierExperiment.common("off") + "pools:\n  web:\n    policy: " + type + "\n    backends:\n");
        for (int k = 0; k < children.size(); k++) {
            yaml.append("      - {name: ").append(CHILDREN.get(k)).append(", address: 127.0.0.1:")
                    .append(children.get(k).listenerAddress("web").getPort()).append("}\n");
        }
        return yaml.toString();
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static double doubleArg(String[] args, int i, double fallback) {
        return args.length > i ? Double.parseDouble(args[i]) : fallback;
    }
}
