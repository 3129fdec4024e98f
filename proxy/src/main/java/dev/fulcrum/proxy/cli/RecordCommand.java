package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.StartupException;
import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.TelemetryConfig;
import dev.fulcrum.proxy.config.TelemetryConfig.DatasetConfig;
import dev.fulcrum.balancing.DurationNotation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "record",
        description = "Run the proxy with a configuration file for a while and write its feature dataset (CSV, one row per"
                + " backend per tick, schema v1; see docs/telemetry.md), then drain and exit 0.%n"
                + "Exit codes: 0 recorded, 1 could not start, 2 invalid configuration or arguments.")
final class RecordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML configuration file.")
    Path configFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "CSV", description = "The dataset file to write (replaced).")
    Path output;

    @Option(names = {"-t", "--transitions"}, paramLabel = "NDJSON",
            description = "Also write the q-network pools' transitions (state, action, reward, next state) to this file"
                    + " (replaced; default: the configuration's telemetry.dataset.transitions, if any).")
    Path transitions;

    @Option(names = {"-d", "--duration"}, required = true, paramLabel = "DURATION", description = "How long to record, e.g. 60s or 10m.")
    String duration;

    @Override
    public Integer call() throws InterruptedException {
        Duration length;
        try {
            length = DurationNotation.parse(duration);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("--duration: " + duration + " (expected: " + e.getMessage() + ")");
            return 2;
        }
        FulcrumConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            return CheckConfigCommand.reportInvalid(spec, e);
        }
        TelemetryConfig telemetry = config.telemetry();
        DatasetConfig dataset = telemetry.dataset() == null ? DatasetConfig.to(output)
                : new DatasetConfig(output, telemetry.dataset().groundTruth(), telemetry.dataset().field(), telemetry.dataset().timeout(),
                        telemetry.dataset().transitions());
        if (transitions != null) {
            dataset = dataset.withTransitions(transitions);
        }
        FulcrumConfig recording = new FulcrumConfig(config.source(), config.runtime(), config.admin(), config.listeners(),
                config.pools(), telemetry.withEnabled(true).withDataset(dataset));
        FulcrumProxy proxy;
        try {
            proxy = FulcrumProxy.start(recording);
        } catch (StartupException e) {
            spec.commandLine().getErr().println("fulcrum could not start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        try (proxy) {
            Thread.sleep(length.toMillis());
            proxy.drain(Duration.ofSeconds(1));
        }
        // After close: the control loop has stopped, so no tick writes a row after the count.
        spec.commandLine().getOut().println("recorded " + proxy.telemetry().datasetRows() + " rows to " + output
                + (dataset.transitions() == null ? "" : " and " + proxy.telemetry().datasetTransitions() + " transitions to "
                + dataset.transitions()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
