package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * For tests that run {@code fulcrum} as its own process: where it listens, and waiting until it serves.
 *
 * <p>A process test's configuration binds port 0 and reads the ports from the "started" log line
 * ({@link #awaitStarted}): a port found free before the process starts may be taken by another
 * process's bind in the seconds a new JVM takes to start on a loaded machine.
 */
public final class FulcrumProcesses {

    /** A new JVM on a loaded 2-core machine took 20 to 45 s to serve; this only bounds a process that never does. */
    private static final long START_SECONDS = 120;
    private static final Pattern STARTED = Pattern.compile("started: .*, listeners \\[(.*)], admin ([^ ,]+), configuration");
    private static final Pattern LISTENER = Pattern.compile("([^\\[\\], @]+)@[^, ]*:(\\d+)");

    private FulcrumProcesses() {
    }

    /** The ports a started process listens on. */
    public record Ports(Map<String, Integer> listeners, int admin) {

        public int listener(String name) {
            Integer port = listeners.get(name);
            if (port == null) {
                throw new AssertionError("no listener " + name + " in " + listeners);
            }
            return port;
        }
    }

    /** A loopback port free now (for a configuration that needs a port before the process starts). */
    public static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * Waits until the process has logged that it started, reads the ports it bound (its admin API
     * must be on), then waits until {@code /healthz} answers 200. Fails with its log if it exits
     * or never gets there.
     */
    public static Ports awaitStarted(Process fulcrum, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (true) {
            Matcher started = STARTED.matcher(Files.readString(log));
            if (started.find()) {
                Map<String, Integer> listeners = new LinkedHashMap<>();
                for (Matcher m = LISTENER.matcher(started.group(1)); m.find(); ) {
                    listeners.put(m.group(1), Integer.parseInt(m.group(2)));
                }
                String admin = started.group(2);
                if (admin.equals("off")) {
                    throw new AssertionError("the admin API is off; these tests need it:\n" + Files.readString(log));
                }
                Ports ports = new Ports(listeners, Integer.parseInt(admin.substring(admin.lastIndexOf(':') + 1)));
                awaitHealthy(ports.admin(), fulcrum, log);
                return ports;
            }
            if (!fulcrum.isAlive()) {
                throw new AssertionError("fulcrum exited with " + fulcrum.exitValue() + ":\n" + Files.readString(log));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("fulcrum never logged that it started:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    /** Waits (120 s at most) until the process answers {@code /healthz} with 200; fails with its log if it exits or never does. */
    public static void awaitHealthy(int adminPort, Process fulcrum, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!fulcrum.isAlive()) {
                throw new AssertionError("fulcrum exited with " + fulcrum.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting: refused, or reset while the admin API comes up
            }
            Thread.sleep(50);
        }
        throw new AssertionError("fulcrum never became healthy:\n" + Files.readString(log));
    }
}
