package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.StartupException;
import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.demo.DemoBackend;
import dev.fulcrum.proxy.demo.DemoLoad;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fulcrum demo}: three built-in backends of different speeds, Fulcrum in front of them with
 * least connections, and a small bounded load through real loopback sockets, reported live.
 */
@Command(name = "demo",
        description = "Start three local backends (fast, medium, slow), Fulcrum in front of them and a small bounded load;"
                + " print where to look and what the balancer does, then keep running until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "Proxy port on 127.0.0.1 (a free one if busy). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--admin-port", defaultValue = "9901", description = "Admin API port on 127.0.0.1 (a free one if busy). Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @Option(names = "--rate", defaultValue = "100", description = "Requests per second, each on a new connection. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--load-seconds", defaultValue = "60", description = "How long the load runs. Default: ${DEFAULT-VALUE}.")
    int loadSeconds;

    @Option(names = "--exit-after-load", description = "Stop when the load is done instead of waiting for Ctrl-C.")
    boolean exitAfterLoad;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || rate > 10_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rate: " + rate + " (expected: 1 to 10000)");
        }
        PrintWriter out = spec.commandLine().getOut();
        ShutdownSignals signals = ShutdownSignals.install();
        EventLoopGroup demoGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("demo", true), NioIoHandler.newFactory());
        List<DemoBackend> backends = new ArrayList<>();
        try {
            backends.add(DemoBackend.start("fast", Duration.ofMillis(5), demoGroup));
            backends.add(DemoBackend.start("medium", Duration.ofMillis(20), demoGroup));
            backends.add(DemoBackend.start("slow", Duration.ofMillis(80), demoGroup));
            String yaml = demoConfig(portOrFree(port), portOrFree(adminPort), backends);
            Path configFile = Files.createTempFile("fulcrum-demo-", ".yaml");
            Files.writeString(configFile, yaml);
            FulcrumConfig config;
            try {
                config = ConfigLoader.load(configFile);
            } catch (ConfigException e) {
                throw new IllegalStateException("the demo's own configuration is invalid: " + e.getMessage(), e);
            }
            FulcrumProxy proxy;
            try {
                proxy = FulcrumProxy.start(config);
            } catch (StartupException e) {
                spec.commandLine().getErr().println("fulcrum demo could not start: " + e.getMessage());
                return 1;
            }
            try (proxy; DemoLoad load = new DemoLoad(proxy.listenerAddress("demo"), demoGroup)) {
                printBanner(out, proxy, backends, configFile);
                load.start(rate, Duration.ofSeconds(loadSeconds));
                long started = System.nanoTime();
                while (load.isRunning() && !signals.await(2, TimeUnit.SECONDS)) {
                    printProgress(out, proxy, load, backends, System.nanoTime() - started);
                }
                Thread.sleep(300); // the last replies are on their way
                printSummary(out, proxy, load, backends);
                if (!exitAfterLoad && !signals.isReceived()) {
                    out.println("The load is done; Fulcrum keeps running. Try the curl lines above. Ctrl-C to stop.");
                    out.flush();
                    signals.await();
                }
                proxy.drain(Duration.ofSeconds(5));
                return load.sent() > 0 && load.failed() == 0 ? 0 : 1;
            }
        } finally {
            backends.forEach(DemoBackend::close);
            demoGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static String demoConfig(int port, int adminPort, List<DemoBackend> backends) {
        StringBuilder yaml = new StringBuilder()
                .append("# Written by `fulcrum demo`; run it yourself with ./fulcrum run -c <this file>\n")
                .append("admin:\n  address: 127.0.0.1:").append(adminPort).append('\n')
                .append("listeners:\n  demo:\n    bind: 127.0.0.1:").append(port).append('\n')
                .append("    pool: demo\n    connectTimeout: 1s\n    idleTimeout: 30s\n")
                .append("pools:\n  demo:\n    policy: {type: least-connections}\n    backends:\n");
        for (DemoBackend backend : backends) {
            yaml.append("      - {name: ").append(backend.name()).append(", address: 127.0.0.1:").append(backend.port()).append("}\n");
        }
        return yaml.toString();
    }

    /** The port if it is free on 127.0.0.1, else 0 (the system picks one). */
    private static int portOrFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", port));
            return port;
        } catch (IOException busy) {
            return 0;
        }
    }

    private void printBanner(PrintWriter out, FulcrumProxy proxy, List<DemoBackend> backends, Path configFile) {
        InetSocketAddress listener = proxy.listenerAddress("demo");
        InetSocketAddress admin = proxy.adminAddress();
        String proxyUrl = "http://127.0.0.1:" + listener.getPort() + "/";
        String adminUrl = "http://127.0.0.1:" + admin.getPort();
        out.println();
        out.println("Fulcrum demo: " + rate + " requests/s for " + loadSeconds + " s, each on a new TCP connection,");
        out.println("balanced by least connections over three backends on loopback:");
        for (DemoBackend backend : backends) {
            out.printf("  %-6s 127.0.0.1:%d  answers after %d ms%n", backend.name(), backend.port(), backend.serviceTime().toMillis());
        }
        out.println();
        out.println("  proxy      " + proxyUrl + "   (transport " + proxy.transportName() + ")");
        out.println("  admin API  " + adminUrl + "/api/status");
        out.println("  dashboard  " + adminUrl + "/   (live charts in a browser)");
        out.println("  config     " + configFile);
        out.println();
        out.println("Look for yourself:");
        out.println("  curl -s " + proxyUrl);
        out.println("  curl -s " + adminUrl + "/api/status");
        out.println("  curl -s " + adminUrl + "/metrics | grep ^fulcrum_");
        out.println();
        out.flush();
    }

    private static void printProgress(PrintWriter out, FulcrumProxy proxy, DemoLoad load, List<DemoBackend> backends, long elapsedNanos) {
        StringBuilder line = new StringBuilder(String.format("%4ds  sent %6d  failed %d  p50 %6.1f ms  p99 %6.1f ms  |",
                TimeUnit.NANOSECONDS.toSeconds(elapsedNanos), load.sent(), load.failed(), load.latencyMillis(50), load.latencyMillis(99)));
        Map<String, Long> served = load.servedBy();
        long total = Math.max(1, served.values().stream().mapToLong(Long::longValue).sum());
        for (DemoBackend backend : backends) {
            long n = served.getOrDefault(backend.name(), 0L);
            line.append(String.format("  %s %3d%% (open %d)", backend.name(), Math.round(100.0 * n / total),
                    proxy.backend("demo", backend.name()).activeFlows()));
        }
        out.println(line);
        out.flush();
    }

    private static void printSummary(PrintWriter out, FulcrumProxy proxy, DemoLoad load, List<DemoBackend> backends) {
        out.println();
        out.printf("Done: %d requests sent through Fulcrum, %d failed; latency p50 %.1f ms, p99 %.1f ms.%n",
                load.sent(), load.failed(), load.latencyMillis(50), load.latencyMillis(99));
        Map<String, Long> served = load.servedBy();
        for (DemoBackend backend : backends) {
            out.printf("  %-6s served %6d requests (the backend counted %d)%n", backend.name(),
                    served.getOrDefault(backend.name(), 0L), backend.served());
        }
        out.println("Least connections sends more flows to the backends that finish sooner: the fast one serves the most.");
        out.flush();
    }
}
