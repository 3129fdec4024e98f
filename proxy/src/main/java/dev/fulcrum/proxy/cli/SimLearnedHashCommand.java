package dev.fulcrum.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.balancing.experiment.KeyDistribution;
import dev.fulcrum.learned.experiment.LearnedHashExperiment;
import dev.fulcrum.learned.experiment.LearnedHashExperiment.Remap;
import dev.fulcrum.learned.experiment.LearnedHashExperiment.Report;
import dev.fulcrum.learned.experiment.LearnedHashExperiment.Row;
import dev.fulcrum.learned.experiment.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fulcrum sim learned-hash}: the DLB experiment, learned side (docs/learned-hash.md). */
@Command(name = "learned-hash",
        description = "The DLB paper's balance experiment with the learned hash: models trained (Python trainer) on one"
                + " seeded key set and measured on another, against CH/CHBL (BKDR, Murmur3, Python hash), Maglev, ring"
                + " hash and jump hash; then clustered keys with Zipf request frequencies, with and without bounded load;"
                + " then the learned hash's remap fractions (bin removed, bin added, model swapped).")
final class SimLearnedHashCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--train-keys", defaultValue = "1000000", description = "Training keys per distribution. Default: ${DEFAULT-VALUE}.")
    int trainKeys;

    @Option(names = "--keys", defaultValue = "200000", description = "Test keys per distribution (as fulcrum sim hash). Default: ${DEFAULT-VALUE}.")
    int keys;

    @Option(names = "--bins", defaultValue = "64", description = "Bins (backends). Default: ${DEFAULT-VALUE}.")
    int bins;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of every key set. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--distributions", split = ",", defaultValue = "uniform,normal,log-normal",
            description = "Setting 1: comma-separated uniform, normal, log-normal (empty: skip). Default: ${DEFAULT-VALUE}.")
    List<String> distributions;

    @Option(names = "--population", defaultValue = "100000", description = "Setting 2: distinct keys in the population. Default: ${DEFAULT-VALUE}.")
    int population;

    @Option(names = "--requests", defaultValue = "20000000",
            description = "Setting 2: requests in the training sample and in the test sample (the paper's data sets: 20,000,000 each). Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--zipf", split = ",", defaultValue = "0.3,0.6,0.8,1.0", description = "Setting 2: Zipf exponents (empty: skip). Default: ${DEFAULT-VALUE}.")
    List<Double> zipf;

    @Option(names = "--bounded-load", defaultValue = "1.25", description = "Factor of the bounded-load wrapper. Default: ${DEFAULT-VALUE}.")
    double boundedLoad;

    @Option(names = "--layers", defaultValue = "1,16,1024",
            description = "Models per layer of the hierarchy (about 100 distinct keys per leaf for setting 2). Default: ${DEFAULT-VALUE}.")
    String layers;

    @Option(names = "--steps", defaultValue = "400", description = "Adam steps per layer. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--training-dir", defaultValue = "learned/training", description = "Where the fulcrum_training package is. Default: ${DEFAULT-VALUE}.")
    Path trainingDir;

    @Option(names = "--work-dir", description = "Where models are written (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<KeyDistribution> chosen = new ArrayList<>();
        for (String name : distributions) {
            if (name.isBlank()) {
                continue;
            }
            KeyDistribution match = null;
            for (KeyDistribution d : KeyDistribution.values()) {
                match = d.label().equals(name) ? d : match;
            }
            if (match == null) {
                throw new ParameterException(spec.commandLine(), "--distributions: " + name + " (expected: uniform, normal or log-normal)");
            }
            chosen.add(match);
        }
        if (!Files.isDirectory(trainingDir.resolve("fulcrum_training"))) {
            throw new ParameterException(spec.commandLine(), "--training-dir: " + trainingDir
                    + " (expected: the directory holding fulcrum_training, learned/training in the repository)");
        }
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("fulcrum-sim-learned");
        Report report = LearnedHashExperiment.run(new LearnedHashExperiment.Settings(trainKeys, keys, bins, seed, chosen,
                population, requests, zipf, boundedLoad, new Trainer(trainingDir.toAbsolutePath(), layers, steps), work));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            print(out, report);
        }
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, Report report) {
        out.printf("%d bins, seed %d, layers %s, %d steps; models in the work directory%n", bins, seed, layers, steps);
        for (String note : report.notes()) {
            out.println("- " + note);
        }
        out.println();
        out.println("| setting | keys | mapper | std of bin loads | std / floor | max/mean | remap (bin removed) |");
        out.println("|---|---|---|---:|---:|---:|---:|");
        for (Row r : report.rows()) {
            out.printf("| %s | %s | %s | %.1f | %.2f | %.3f | %s |%n", r.setting(), r.distribution(), r.mapper(), r.std(),
                    r.std() / r.floor(), r.maxOverMean(), Double.isNaN(r.remapRemove()) ? "" : String.format("%.4f", r.remapRemove()));
        }
        if (!report.remaps().isEmpty()) {
            out.println();
            out.println("| keys | learned hash remap: bin removed | bin added | model swapped | ideal (1/bins) |");
            out.println("|---|---:|---:|---:|---:|");
            for (Remap r : report.remaps()) {
                out.printf("| %s | %.4f | %.4f | %.4f | %.4f |%n", r.distribution(), r.removeBin(), r.addBin(), r.modelSwap(), r.ideal());
            }
        }
    }
}
