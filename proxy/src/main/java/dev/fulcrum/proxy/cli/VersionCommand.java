package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.Version;
import io.netty.channel.epoll.Epoll;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "version", description = "Print Fulcrum's version and what it runs on.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("fulcrum " + Version.get());
        out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        out.println("netty " + io.netty.util.Version.identify().getOrDefault("netty-transport",
                io.netty.util.Version.identify().values().iterator().next()).artifactVersion());
        out.println("epoll " + (Epoll.isAvailable() ? "available" : "unavailable (" + Epoll.unavailabilityCause() + ")"));
        out.flush();
        return 0;
    }
}
