package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fulcrum}: the one command line. Subcommands do the work; with none it prints help. */
@Command(name = "fulcrum",
        mixinStandardHelpOptions = true,
        versionProvider = FulcrumCommand.VersionProvider.class,
        description = "A TCP (layer 4) load balancer that measures every flow in-line and learns from it.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, DemoCommand.class, SimCommand.class, RecordCommand.class, VersionCommand.class,
                CommandLine.HelpCommand.class})
public final class FulcrumCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests: no {@code System.exit}). */
    public static int execute(String... args) {
        return new CommandLine(new FulcrumCommand()).execute(args);
    }

    /** As {@link #execute(String...)}, writing to the given streams. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return new CommandLine(new FulcrumCommand()).setOut(out).setErr(err).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"fulcrum " + Version.get()};
        }
    }
}
