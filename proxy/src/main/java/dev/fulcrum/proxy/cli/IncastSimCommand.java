package dev.fulcrum.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.learned.incast.IncastExperiment;
import dev.fulcrum.learned.incast.IncastExperiment.Settings;
import dev.fulcrum.learned.incast.IncastTables;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fulcrum sim incast}: the hierarchical-feedback RL paper's simulation (docs/rl-incast.md). */
@Command(name = "incast",
        description = "Mizutani 2022's TCP-incast simulation: tree and fat-tree (10/50/250 components), Poisson"
                + " arrivals, exponential flow lengths; VLB, ECMP, IFS-RL and the hierarchical-feedback Q-network"
                + " policy (DQN, Double DQN) trained in the simulator. Prints incast probability against arrival rate"
                + " and flow length, and RTT, throughput degradation and FCT. Deterministic for a seed.")
final class IncastSimCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of everything. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--quick", description = "Two points per sweep, short runs and training (seconds; for tests).")
    boolean quick;

    @Option(names = "--topologies", split = ",", description = "Comma-separated: tree, fat-tree. Default: both.")
    List<String> topologies;

    @Option(names = "--measure-ticks", description = "Measured 1 ms ticks per point (default 500; quick 100).")
    Integer measureTicks;

    @Option(names = "--episodes", description = "Training episodes per learned policy (default 30; quick 6).")
    Integer episodes;

    @Option(names = "--episode-ticks", description = "Ticks per training episode (default 150; quick 100).")
    Integer episodeTicks;

    @Option(names = "--network", description = "Q-network: slot (shared per-child scorer, default) or paper (five-layer MLP).")
    String network;

    @Option(names = "--steps-per-tick", description = "Mini-batch steps per tier per training tick (default 2).")
    Integer stepsPerTick;

    @Option(names = "--temperature", description = "Boltzmann temperature of the learned policies (default 0.1).")
    Double temperature;

    @Option(names = "--alpha", description = "Adam step size (default 0.001).")
    Double alpha;

    @Option(names = "--beta", description = "Reward weight of this hop against the child's reward (paper: 0.5).")
    Double beta;

    @Option(names = "--gamma", description = "Discount (paper: 0.9).")
    Double gamma;

    @Option(names = "--json", description = "Print JSON instead of tables (input of scripts/plot-incast).")
    boolean json;

    @Option(names = "--json-file", description = "Also write the JSON to this file (tables still go to stdout).")
    java.nio.file.Path jsonFile;

    @Override
    public Integer call() throws Exception {
        Settings settings;
        try {
            settings = quick ? Settings.quick(seed) : Settings.defaults(seed);
            settings = settings.withTicks(or(measureTicks, settings.measureTicks()), or(episodes, settings.trainEpisodes()),
                    or(episodeTicks, settings.episodeTicks()));
            settings = settings.withLearning(network == null ? settings.network() : network,
                    or(stepsPerTick, settings.stepsPerTick()), or(temperature, settings.temperature()),
                    or(alpha, settings.alpha()));
            settings = settings.withReward(or(beta, settings.beta()), or(gamma, settings.gamma()));
            if (topologies != null) {
                settings = settings.withTopologies(topologies);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        IncastExperiment.Report report = IncastExperiment.run(settings, message -> {
            err.println(message);
            err.flush();
        });
        PrintWriter out = spec.commandLine().getOut();
        String asJson = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        if (jsonFile != null) {
            java.nio.file.Files.writeString(jsonFile, asJson + System.lineSeparator());
        }
        if (json) {
            out.println(asJson);
        } else {
            out.print(IncastTables.markdown(report));
        }
        out.flush();
        return 0;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
