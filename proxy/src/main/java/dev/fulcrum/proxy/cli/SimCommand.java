package dev.fulcrum.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.balancing.experiment.HashBalanceExperiment;
import dev.fulcrum.balancing.experiment.HashBalanceExperiment.Result;
import dev.fulcrum.balancing.experiment.HashBalanceExperiment.Settings;
import dev.fulcrum.balancing.experiment.KeyDistribution;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fulcrum sim ...}: simulations and experiments that need no sockets. */
@Command(name = "sim", description = "Run a simulation or experiment (no sockets).",
        subcommands = {SimCommand.Hash.class, IncastSimCommand.class, StorageSimCommand.class, SimLearnedHashCommand.class,
                SimLearnedHashSocketsCommand.class})
final class SimCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "hash",
            description = "The DLB paper's balance experiment, classic side: keys from uniform, normal and log-normal"
                    + " distributions mapped to bins by CH and CHBL (BKDR, Murmur3, Python hash), Maglev, ring hash and"
                    + " jump hash. Prints the standard deviation of bin loads, max/mean, and the fraction of keys that"
                    + " move when one bin is removed.")
    static final class Hash implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--keys", defaultValue = "200000", description = "Keys per distribution (the paper used 20000000; the default runs in about half a minute). Default: ${DEFAULT-VALUE}.")
        int keys;

        @Option(names = "--bins", defaultValue = "64", description = "Bins (backends). Default: ${DEFAULT-VALUE}.")
        int bins;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the key sets. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--distributions", split = ",", defaultValue = "uniform,normal,log-normal",
                description = "Comma-separated: uniform, normal, log-normal. Default: ${DEFAULT-VALUE}.")
        List<String> distributions;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<KeyDistribution> chosen = new ArrayList<>();
            for (String name : distributions) {
                chosen.add(distribution(name));
            }
            Settings settings;
            try {
                settings = new Settings(keys, bins, seed, chosen, HashBalanceExperiment.defaultMappers());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            List<Result> results = HashBalanceExperiment.run(settings);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                        Map.of("keys", keys, "bins", bins, "seed", seed, "results", results)));
            } else {
                printTable(out, results);
            }
            out.flush();
            return 0;
        }

        private KeyDistribution distribution(String name) {
            for (KeyDistribution distribution : KeyDistribution.values()) {
                if (distribution.label().equals(name)) {
                    return distribution;
                }
            }
            throw new ParameterException(spec.commandLine(), "--distributions: " + name
                    + " (expected: uniform, normal or log-normal)");
        }

        private void printTable(PrintWriter out, List<Result> results) {
            out.printf("%d keys per distribution, %d bins, seed %d; remap: keys moved when one bin is removed (ideal %.4f)%n%n",
                    keys, bins, seed, 1.0 / bins);
            out.println("| distribution | mapper | std of bin loads | max/mean | remap |");
            out.println("|---|---|---:|---:|---:|");
            for (Result r : results) {
                out.printf("| %s | %s | %.1f | %.3f | %.4f |%n", r.distribution(), r.mapper(), r.std(), r.maxOverMean(), r.remapFraction());
            }
        }
    }
}
