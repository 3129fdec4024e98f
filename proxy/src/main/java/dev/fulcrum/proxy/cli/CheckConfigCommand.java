package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.ConfigWriter;
import dev.fulcrum.proxy.config.FulcrumConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check-config",
        description = "Validate a configuration file and print it normalised (every default filled in).%n"
                + "Exit code 0 when valid, 2 with one line per problem when not.")
final class CheckConfigCommand implements Callable<Integer> {

    static final int INVALID_CONFIG = 2;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
    Path file;

    @Override
    public Integer call() {
        FulcrumConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            return reportInvalid(spec, e);
        }
        spec.commandLine().getOut().print(ConfigWriter.toYaml(config));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static int reportInvalid(CommandSpec spec, ConfigException e) {
        var err = spec.commandLine().getErr();
        err.println("invalid configuration (" + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems") + "):");
        e.problems().forEach(problem -> err.println("  " + problem));
        err.flush();
        return INVALID_CONFIG;
    }
}
