package dev.fulcrum.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.qos.sim.StorageExperiment;
import dev.fulcrum.qos.sim.StorageExperiment.Report;
import dev.fulcrum.qos.sim.StorageExperiment.Row;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fulcrum sim storage}: PASCAL's Table 1 and ablation on the tiered-storage simulator. */
@Command(name = "storage",
        description = "PASCAL's evaluation on the tiered-storage simulator: the pressure controller and three baselines"
                + " (LBICA-like threshold, PID, static), each tuned by Bayesian optimisation on training runs, on a synthetic"
                + " and a real-world-like workload; mean throughput, p99 latency, throughput jitter; then the ablation.")
final class StorageSimCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "25000", description = "Simulated seconds per reported run. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the reported runs (tuning uses seed + 1000). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--tune-seconds", defaultValue = "25000", description = "Simulated seconds per tuning run (as long as the reported runs, so that every method is tuned on the slow SSD fill cycle too). Default: ${DEFAULT-VALUE}.")
    int tuneSeconds;

    @Option(names = "--tune-iterations", defaultValue = "24",
            description = "Bayesian-optimisation steps per method and workload, after 6 random points. Default: ${DEFAULT-VALUE}.")
    int tuneIterations;

    @Option(names = "--tune-seeds", defaultValue = "2",
            description = "Training runs per tuning evaluation (seeds seed + 1000, seed + 2000, ...; the objective is their mean). Default: ${DEFAULT-VALUE}.")
    int tuneSeeds;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Option(names = "--series", description = "Write the time series (watermarks, rates, throughputs every 10 s) as JSON to this file.")
    Path series;

    @Override
    public Integer call() throws Exception {
        StorageExperiment.Settings settings;
        try {
            settings = new StorageExperiment.Settings(seconds, seed, tuneSeconds, tuneIterations, 10, tuneSeeds);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Report report = StorageExperiment.run(settings);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        if (series != null) {
            Files.writeString(series, mapper.writeValueAsString(report.series()));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(mapper.writeValueAsString(Map.of("settings", settings, "table", report.table(), "ablation", report.ablation())));
        } else {
            out.printf("%d simulated seconds per run, seed %d; every method tuned by Bayesian optimisation (6 random points,"
                    + " %d steps) on %d %d-second training run(s) per evaluation (seeds from %d)%n%n", seconds, seed, tuneIterations,
                    tuneSeeds, tuneSeconds, seed + 1000);
            print(out, "Table 1", report.table());
            out.println();
            print(out, "Ablation", report.ablation());
        }
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, String title, List<Row> rows) {
        out.println(title);
        out.println("| workload | method | mean throughput (MB/s) | p99 latency (ms) | throughput jitter |");
        out.println("|---|---|---:|---:|---:|");
        for (Row r : rows) {
            out.printf("| %s | %s | %.1f | %.2f | %.3e |%n", r.workload(), r.method(), r.meanThroughput(), r.p99LatencyMs(), r.jitter());
        }
    }
}
