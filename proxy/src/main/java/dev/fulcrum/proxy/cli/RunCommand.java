package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.StartupException;
import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.ValueParsers;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run",
        description = "Run the proxy with a configuration file until SIGTERM or Ctrl-C, then drain and exit 0.%n"
                + "SIGHUP, POST /api/reload or a change of the file reloads it without closing open flows.%n"
                + "Exit codes: 0 stopped cleanly, 1 could not start, 2 invalid configuration.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML configuration file.")
    Path configFile;

    @Override
    public Integer call() throws InterruptedException {
        FulcrumConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            return CheckConfigCommand.reportInvalid(spec, e);
        }
        return runUntilSignalled(spec, config);
    }

    /** Starts the proxy, waits for SIGTERM or SIGINT, drains, stops. Shared with {@code demo}. */
    static int runUntilSignalled(CommandSpec spec, FulcrumConfig config) throws InterruptedException {
        ShutdownSignals signals = ShutdownSignals.install();
        ReloadSignal reload = ReloadSignal.install();
        FulcrumProxy proxy;
        try {
            proxy = FulcrumProxy.start(config);
        } catch (StartupException e) {
            spec.commandLine().getErr().println("fulcrum could not start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        reload.attach(proxy);
        try (proxy) {
            signals.await();
            // The running configuration: a reload may have changed the drain timeout.
            var drainTimeout = proxy.config().runtime().drainTimeout();
            log.info("{}: stopping; open flows have {} to finish", signals.received(), ValueParsers.formatDuration(drainTimeout));
            int cut = proxy.drain(drainTimeout);
            log.info("stopped ({} flows cut at the drain timeout)", cut);
            return 0;
        }
    }
}
