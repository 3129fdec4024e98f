package dev.fulcrum.proxy.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** An {@link EchoBackendMain} in its own JVM: started, killed (SIGKILL), frozen (SIGSTOP), thawed, restarted. */
final class BackendProcess implements AutoCloseable {

    private Process process;
    private int port;

    private BackendProcess(int port) throws IOException {
        start(port);
    }

    static BackendProcess start() throws IOException {
        return new BackendProcess(0);
    }

    private void start(int wanted) throws IOException {
        process = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                EchoBackendMain.class.getName(), Integer.toString(wanted))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine(); // blocks until the process listens or dies (then null)
        if (line == null || !line.startsWith("listening ")) {
            process.destroyForcibly();
            throw new IOException("the backend process did not start: " + line);
        }
        port = Integer.parseInt(line.substring("listening ".length()).trim());
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: the kernel resets every connection the process had. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("backend " + process.pid() + " survived SIGKILL");
        }
    }

    /** Starts again on the same port. */
    void restart() throws IOException {
        start(port);
    }

    void freeze() throws Exception {
        signal("STOP");
    }

    void thaw() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("CONT"); // a frozen process does not die of SIGKILL until it runs again on some kernels
            kill();
        }
    }
}
