package dev.fulcrum.learned.incast;

import dev.fulcrum.learned.rl.DqnTrainer;
import dev.fulcrum.learned.rl.FlowReward;
import dev.fulcrum.learned.rl.QFunction;
import dev.fulcrum.learned.rl.TrainableQFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code fulcrum sim incast}: the evaluation of Mizutani, Sensors 2022, §4 on the
 * {@link IncastSimulator}: VLB, ECMP, IFS-RL, and the hierarchical-feedback policy with DQN and with
 * Double DQN, on the tree and the fat-tree (plus {@link #LEAST_LOAD}, a reference without
 * learning); incast probability against the arrival rate (Figure 7)
 * and against the flow-length parameter (Figure 8), and RTT, throughput degradation and FCT at the
 * highest arrival rate for short and long flows (Figures 9 to 11).
 *
 * <p>The learned policies are trained first (their own episodes, arrival rate and flow-length
 * parameter drawn at random per episode over the whole swept range, separate seeds), then evaluated
 * frozen on exactly the flows the baselines see. Everything derives from one seed.
 */
public final class IncastExperiment {

    /** Not in the paper: Boltzmann over minus each child's reported load, no learning (see {@link LeastLoadQ}). */
    public static final String LEAST_LOAD = "Least-load";

    public static final List<String> POLICIES = List.of("VLB", "ECMP", "IFS-RL", "Feedback-DQN", "Feedback-DDQN",
            LEAST_LOAD);

    /**
     * @param capacityScale multiplies the paper's capacities (100,000 / 10,000 / 1,000 flows)
     * @param shortLongLengthRates flow-length parameters of the "Short" and "Long" cases (Figures 9-11)
     */
    public record Settings(List<String> topologies, double capacityScale, List<Double> arrivalRates,
            List<Double> flowLengthRates, double fixedArrivalRate, double fixedFlowLengthRate,
            List<Double> shortLongLengthRates, int warmupTicks, int measureTicks, int trainEpisodes,
            int episodeTicks, int stepsPerTick, String network, double temperature, double beta, double gamma,
            double alpha, long seed) {

        public Settings {
            topologies = List.copyOf(topologies);
            arrivalRates = List.copyOf(arrivalRates);
            flowLengthRates = List.copyOf(flowLengthRates);
            shortLongLengthRates = List.copyOf(shortLongLengthRates);
            for (String topology : topologies) {
                kind(topology);
            }
            if (arrivalRates.isEmpty() || flowLengthRates.isEmpty()) {
                throw new IllegalArgumentException("arrivalRates, flowLengthRates: empty (expected: at least one value each)");
            }
            if (shortLongLengthRates.size() != 2) {
                throw new IllegalArgumentException("shortLongLengthRates: " + shortLongLengthRates
                        + " (expected: two values, short then long)");
            }
            if (warmupTicks < 0 || measureTicks < 1 || trainEpisodes < 0 || episodeTicks < 1) {
                throw new IllegalArgumentException("ticks: warmup " + warmupTicks + ", measure " + measureTicks
                        + ", episodes " + trainEpisodes + " x " + episodeTicks + " (expected: >= 0, >= 1, >= 0, >= 1)");
            }
            new FlowReward(beta);
            if (!network.equals("slot") && !network.equals("paper")) {
                throw new IllegalArgumentException("network: " + network + " (expected: slot or paper)");
            }
            if (stepsPerTick < 1) {
                throw new IllegalArgumentException("stepsPerTick: " + stepsPerTick + " (expected: >= 1)");
            }
        }

        public Settings withTicks(int measure, int episodes, int episodeLength) {
            return new Settings(topologies, capacityScale, arrivalRates, flowLengthRates, fixedArrivalRate,
                    fixedFlowLengthRate, shortLongLengthRates, warmupTicks, measure, episodes, episodeLength,
                    stepsPerTick, network, temperature, beta, gamma, alpha, seed);
        }

        public Settings withLearning(String network, int steps, double temperature, double alpha) {
            return new Settings(topologies, capacityScale, arrivalRates, flowLengthRates, fixedArrivalRate,
                    fixedFlowLengthRate, shortLongLengthRates, warmupTicks, measureTicks, trainEpisodes, episodeTicks,
                    steps, network, temperature, beta, gamma, alpha, seed);
        }

        public Settings withReward(double newBeta, double newGamma) {
            return new Settings(topologies, capacityScale, arrivalRates, flowLengthRates, fixedArrivalRate,
                    fixedFlowLengthRate, shortLongLengthRates, warmupTicks, measureTicks, trainEpisodes, episodeTicks,
                    stepsPerTick, network, temperature, newBeta, newGamma, alpha, seed);
        }

        public Settings withTopologies(List<String> chosen) {
            return new Settings(chosen, capacityScale, arrivalRates, flowLengthRates, fixedArrivalRate,
                    fixedFlowLengthRate, shortLongLengthRates, warmupTicks, measureTicks, trainEpisodes, episodeTicks,
                    stepsPerTick, network, temperature, beta, gamma, alpha, seed);
        }

        /** The default run: a few minutes on 2 cores. */
        public static Settings defaults(long seed) {
            return new Settings(List.of("tree", "fat-tree"), 0.01, List.of(0.1, 0.3, 0.5, 0.7, 0.9),
                    List.of(0.1, 0.3, 0.5, 0.7, 0.9), 0.5, 0.5, List.of(0.9, 0.3), 0, 500, 30, 150,
                    2, "slot", 0.1, FlowReward.PAPER_BETA, 0.9, 1e-3, seed);
        }

        /** A run of seconds, for tests: fewer points, ticks and episodes. */
        public static Settings quick(long seed) {
            return new Settings(List.of("tree", "fat-tree"), 0.01, List.of(0.3, 0.9), List.of(0.3, 0.9), 0.5, 0.5,
                    List.of(0.9, 0.3), 0, 100, 6, 100, 2, "slot", 0.1, FlowReward.PAPER_BETA, 0.9, 1e-3, seed);
        }

        double highestArrivalRate() {
            return arrivalRates.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }
    }

    /** Rows for Figure 7 (arrival sweep), Figure 8 (length sweep), Figures 9-11 (short/long). */
    public record Report(Settings settings, List<RunResult> arrivalSweep, List<RunResult> lengthSweep,
            List<RunResult> shortLong, List<Training> training) {
    }

    /** How a learned policy was trained: its transitions and its last mean squared TD error per tier. */
    public record Training(String topology, String policy, int ticks, int transitions, double coreTdError,
            double aggregateTdError) {
    }

    private IncastExperiment() {
    }

    static Topology.Kind kind(String label) {
        for (Topology.Kind kind : Topology.Kind.values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("topology: " + label + " (expected: tree or fat-tree)");
    }

    public static Report run(Settings settings, Consumer<String> progress) {
        List<RunResult> arrivals = new ArrayList<>();
        List<RunResult> lengths = new ArrayList<>();
        List<RunResult> shortLong = new ArrayList<>();
        List<Training> training = new ArrayList<>();
        for (String label : settings.topologies()) {
            Topology topology = new Topology(kind(label), settings.capacityScale(), settings.seed());
            List<TrainableQFunction[]> learned = new ArrayList<>();
            for (String policy : POLICIES.subList(2, 5)) {
                progress.accept("training " + policy + " on the " + label);
                TrainableQFunction[] networks = LearnedRouter.networks(settings.network(), topology, settings.seed() + 7);
                training.add(train(settings, topology, policy, networks));
                learned.add(networks);
            }
            int point = 0;
            for (double a : settings.arrivalRates()) {
                progress.accept(label + ": arrival rate " + a);
                evaluateAll(settings, topology, learned, a, settings.fixedFlowLengthRate(), point++, arrivals);
            }
            for (double mu : settings.flowLengthRates()) {
                progress.accept(label + ": flow-length parameter " + mu);
                evaluateAll(settings, topology, learned, settings.fixedArrivalRate(), mu, point++, lengths);
            }
            for (double mu : settings.shortLongLengthRates()) {
                progress.accept(label + ": highest arrival rate, flow-length parameter " + mu);
                evaluateAll(settings, topology, learned, settings.highestArrivalRate(), mu, point++, shortLong);
            }
        }
        return new Report(settings, arrivals, lengths, shortLong, training);
    }

    private static void evaluateAll(Settings settings, Topology topology, List<TrainableQFunction[]> learned, double a, double mu,
            int point, List<RunResult> out) {
        double meanLength = IncastSimulator.BASE_LENGTH_MS / mu;
        // Warm up for five mean flow lengths at least, so the network is in steady state when measured.
        int warmup = Math.max(settings.warmupTicks(), (int) Math.ceil(5 * meanLength / IncastSimulator.TICK_MS));
        long seed = mixSeed(settings.seed(), point);
        IncastSimulator.Scenario scenario = new IncastSimulator.Scenario(a, mu, warmup, settings.measureTicks(), seed);
        for (int p = 0; p < POLICIES.size(); p++) {
            String policy = POLICIES.get(p);
            Router router = switch (p) {
                case 0 -> new VlbRouter(topology);
                case 1 -> new EcmpRouter(topology);
                case 5 -> new LearnedRouter(topology, true, new FlowReward(settings.beta()),
                        new QFunction[] {new LeastLoadQ(topology.actionSlots), new LeastLoadQ(topology.actionSlots)},
                        null, 1, settings.temperature(), seed);
                default -> learnedRouter(settings, topology, policy, learned.get(p - 2), null, seed);
            };
            out.add(new IncastSimulator(topology).run(router, scenario, policy));
        }
    }

    static LearnedRouter learnedRouter(Settings settings, Topology topology, String policy, TrainableQFunction[] networks,
            DqnTrainer[] trainers, long seed) {
        boolean feedback = !policy.equals("IFS-RL");
        FlowReward reward = feedback ? new FlowReward(settings.beta()) : FlowReward.withoutFeedback();
        return new LearnedRouter(topology, feedback, reward, networks, trainers, settings.stepsPerTick(),
                settings.temperature(), seed);
    }

    private static Training train(Settings settings, Topology topology, String policy, TrainableQFunction[] networks) {
        DqnTrainer.Target target = policy.equals("Feedback-DQN") ? DqnTrainer.Target.DQN : DqnTrainer.Target.DOUBLE_DQN;
        DqnTrainer[] trainers = new DqnTrainer[networks.length];
        for (int t = 0; t < networks.length; t++) {
            DqnTrainer.Settings defaults = DqnTrainer.Settings.defaults(target, settings.seed() + 31 * t);
            trainers[t] = new DqnTrainer(networks[t], new DqnTrainer.Settings(target, settings.gamma(),
                    settings.alpha(), defaults.adam(), defaults.batchSize(), defaults.replayCapacity(),
                    defaults.targetSync(), defaults.errorClip(), defaults.seed()));
        }
        long seed = mixSeed(settings.seed() ^ 0x7A1E_D000L, policy.hashCode());
        LearnedRouter router = learnedRouter(settings, topology, policy, networks, trainers, seed);
        SplittableRandom episodes = new SplittableRandom(seed);
        double lowA = settings.arrivalRates().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double highA = settings.highestArrivalRate();
        double lowMu = settings.flowLengthRates().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double highMu = settings.flowLengthRates().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        for (int e = 0; e < settings.trainEpisodes(); e++) {
            double a = lowA + (highA - lowA) * episodes.nextDouble();
            double mu = lowMu + (highMu - lowMu) * episodes.nextDouble();
            IncastSimulator.Scenario scenario = new IncastSimulator.Scenario(a, mu, 0, settings.episodeTicks(),
                    episodes.nextLong());
            router.startEpisode();
            new IncastSimulator(topology).runTicks(router, scenario, settings.episodeTicks(), Integer.MAX_VALUE, null);
        }
        // The TD error of a few extra batches, as a sign the fit converged (not a performance figure).
        double[] tdError = new double[trainers.length];
        for (int t = 0; t < trainers.length; t++) {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < 20; i++) {
                double e = trainers[t].trainStep();
                if (!Double.isNaN(e)) {
                    sum += e;
                    n++;
                }
            }
            tdError[t] = n == 0 ? Double.NaN : sum / n;
        }
        return new Training(topology.kind.label(), policy, settings.trainEpisodes() * settings.episodeTicks(),
                trainers[0].remembered() + trainers[1].remembered(), tdError[0], tdError[1]);
    }

    static long mixSeed(long seed, long salt) {
        return dev.fulcrum.balancing.hashing.SplitMix64.mix(seed * 0x9E3779B97F4A7C15L + salt);
    }
}
