package dev.fulcrum.loadtest.tiers;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.loadtest.testbed.BackendGroups;
import dev.fulcrum.loadtest.testbed.EmulatedBackend;
import dev.fulcrum.loadtest.testbed.TrafficGenerator;
import dev.fulcrum.loadtest.testbed.Workload;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.ProxyViews;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two Fulcrum tiers on loopback (Mizutani, Sensors 2022, §4 on real sockets, scaled to one
 * machine): a parent Fulcrum in front of two child Fulcrums, each in front of two emulated servers
 * of 4 slots at speed {@code SPEED} (for-loop workload, 100 ms mean work at speed 1: 80 x SPEED
 * requests/s per child; past that, requests queue and their latency rises sharply). A low speed
 * keeps the request rate, and so the CPU the proxies need, small on a shared machine. Child B also serves "another parent": cross traffic sent
 * to it directly. Clients send Poisson arrivals through the parent, one TCP flow per request. The
 * parent's policy is random (VLB), maglev (hash), q-network without feedback (IFS-RL, beta = 1) or
 * q-network with feedback (beta = 0.5, children's /api/feedback polled each tick); the model is
 * the same Q-function for both q-network runs. Prints, per policy, the client FCT percentiles, the
 * share of the parent's flows sent to child A and the share of time any server had a queue.
 *
 * <p>Usage: {@code TierExperiment MODEL OUT_DIR [SECONDS=30] [MAIN_RATE=9] [CROSS_RATE=5] [ROUNDS=1] [SPEED=0.1]}
 */
public final class TierExperiment {

    private TierExperiment() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TierExperiment MODEL OUT_DIR [SECONDS=30] [MAIN_RATE=9] [CROSS_RATE=5] [ROUNDS=1] [SPEED=0.1]");
            System.exit(2);
        }
        Path model = Path.of(args[0]).toAbsolutePath();
        Path out = Path.of(args[1]).toAbsolutePath();
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        double mainRate = args.length > 3 ? Double.parseDouble(args[3]) : 9;
        double crossRate = args.length > 4 ? Double.parseDouble(args[4]) : 5;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        double speed = args.length > 6 ? Double.parseDouble(args[6]) : 0.1;
        Files.createDirectories(out);
        List<String> policies = List.of("random", "maglev", "ifs-rl", "feedback");
        System.out.printf(Locale.ROOT, "round policy    completed failed fct_p50_ms fct_p90_ms fct_p99_ms share_to_A any_server_queued%n");
        try (BackendGroups servers = new BackendGroups(List.of(new BackendGroups.Group("a", 2, 4, speed),
                new BackendGroups.Group("b", 2, 4, speed)))) {
            for (int round = 1; round <= rounds; round++) {
                for (String policy : policies) { // interleaved: each round runs every policy once
                    Row row = run(servers, policy, model, out, seconds, mainRate, crossRate, 1000L * round + policies.indexOf(policy));
                    System.out.printf(Locale.ROOT, "%5d %-9s %9d %6d %10.1f %10.1f %10.1f %10.3f %17.3f%n", round, policy,
                            row.main.completed(), row.main.failed(), row.main.fctP50Millis(), row.main.fctP90Millis(),
                            row.main.fctP99Millis(), row.shareToA, row.queuedShare);
                    System.out.flush();
                    servers.awaitIdle(15_000);
                }
            }
        }
    }

    private record Row(TrafficGenerator.Result main, double shareToA, double queuedShare) {
    }

    private static Row run(BackendGroups servers, String policy, Path model, Path out, int seconds, double mainRate,
            double crossRate, long seed) throws Exception {
        List<EmulatedBackend> all = servers.backends();
        Path dir = out.resolve(policy + "-" + seed);
        Files.createDirectories(dir);
        try (FulcrumProxy childA = start(dir.resolve("child-a.yaml"), childYaml(all.subList(0, 2)));
                FulcrumProxy childB = start(dir.resolve("child-b.yaml"), childYaml(all.subList(2, 4)));
                FulcrumProxy parent = start(dir.resolve("parent.yaml"), parentYaml(policy, model, dir, childA, childB))) {
            Thread.sleep(1000); // a few ticks: the parent has polled its children once
            Load load = drive(all, parent, childB, mainRate, crossRate, seconds, seed);
            TrafficGenerator.Result main = load.main();
            long toA = 0;
            long total = 0;
            for (ProxyViews.PoolBackends pool : parent.backends().pools()) {
                for (ProxyViews.BackendTotals backend : pool.backends()) {
                    total += backend.flows();
                    if (backend.name().equals("child-a")) {
                        toA += backend.flows();
                    }
                }
            }
            return new Row(main, total == 0 ? 0 : (double) toA / total, load.queuedShare());
        } finally {
            ModelRegistry.global().close();
        }
    }

    /** What one run's traffic gave: the main generator's result and the share of samples with a server queueing. */
    record Load(TrafficGenerator.Result main, double queuedShare) {
    }

    /**
     * Drives for-loop traffic through {@code parent} at {@code mainRate} and, from another parent,
     * straight into {@code crossTarget} at {@code crossRate}, both for {@code seconds}; meanwhile
     * samples every 50 ms whether any server is past capacity (a request waiting for a slot).
     */
    static Load drive(List<EmulatedBackend> servers, FulcrumProxy parent, FulcrumProxy crossTarget, double mainRate,
            double crossRate, int seconds, long seed) throws Exception {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        AtomicLong samples = new AtomicLong();
        AtomicLong queued = new AtomicLong();
        try {
            sampler.scheduleAtFixedRate(() -> {
                samples.incrementAndGet();
                if (servers.stream().anyMatch(b -> b.stats().queue() > 0)) {
                    queued.incrementAndGet();
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
            CompletableFuture<TrafficGenerator.Result> cross = CompletableFuture.supplyAsync(() -> {
                try {
                    return new TrafficGenerator(crossTarget.listenerAddress("web"), Workload.FOR_LOOP, crossRate,
                            Duration.ofSeconds(seconds), seed + 500).run(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            TrafficGenerator.Result main = new TrafficGenerator(parent.listenerAddress("web"), Workload.FOR_LOOP, mainRate,
                    Duration.ofSeconds(seconds), seed).run(Duration.ofSeconds(20));
            cross.get();
            return new Load(main, samples.get() == 0 ? 0 : (double) queued.get() / samples.get());
        } finally {
            sampler.shutdownNow();
        }
    }

    static FulcrumProxy start(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        return FulcrumProxy.start(ConfigLoader.load(file));
    }

    static String common(String admin) {
        return "runtime: {transport: auto, eventLoops: 1, drainTimeout: 1s, watchConfig: false}\n"
                + "admin: {address: " + admin + "}\n"
                + "telemetry: {tick: 250ms}\n"
                + "listeners:\n  web: {bind: 127.0.0.1:0, pool: web, key: client-address-port, connectTimeout: 5s}\n";
    }

    static String childYaml(List<EmulatedBackend> backends) {
        StringBuilder yaml = new StringBuilder(common("127.0.0.1:0"));
        yaml.append("pools:\n  web:\n    policy: {type: least-connections}\n    backends:\n");
        for (EmulatedBackend b : backends) {
            yaml.append("      - {name: ").append(b.name()).append(", address: 127.0.0.1:").append(b.address().getPort()).append("}\n");
        }
        return yaml.toString();
    }

    private static String parentYaml(String policy, Path model, Path dir, FulcrumProxy childA, FulcrumProxy childB) {
        String type = switch (policy) {
            case "random" -> "{type: random}";
            case "maglev" -> "{type: maglev}";
            case "ifs-rl" -> "{type: q-network, model: \"" + model + "\", name: ifs-rl, beta: 1, transitions: \""
                    + dir.resolve("transitions.ndjson") + "\"}";
            case "feedback" -> "{type: q-network, model: \"" + model + "\", name: feedback, beta: 0.5, transitions: \""
                    + dir.resolve("transitions.ndjson") + "\", feedback: {child-a: \"" + feedback(childA) + "\", child-b: \""
                    + feedback(childB) + "\"}}";
            default -> throw new IllegalArgumentException("policy: " + policy);
        };
        return common("off") + "pools:\n  web:\n    policy: " + type + "\n    backends:\n"
                + "      - {name: child-a, address: 127.0.0.1:" + childA.listenerAddress("web").getPort() + "}\n"
                + "      - {name: child-b, address: 127.0.0.1:" + childB.listenerAddress("web").getPort() + "}\n";
    }

    static String feedback(FulcrumProxy child) {
        return "http://127.0.0.1:" + child.adminAddress().getPort() + "/api/feedback?pool=web";
    }
}
