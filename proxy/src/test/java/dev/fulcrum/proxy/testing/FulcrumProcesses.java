package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** For tests that run {@code fulcrum} as its own process: free ports, and waiting until it serves. */
public final class FulcrumProcesses {

    private FulcrumProcesses() {
    }

    /** A loopback port free now (for a configuration that needs a port before the process starts). */
    public static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Waits (30 s at most) until the process answers {@code /healthz} with 200; fails with its log if it exits or never does. */
    public static void awaitHealthy(int adminPort, Process fulcrum, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
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
            } catch (ConnectException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new AssertionError("fulcrum never became healthy:\n" + Files.readString(log));
    }
}
