package dev.fulcrum.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real Python trainers (learned/training) from proxy tests, as an operator would. */
public final class Trainers {

    /** Debian's interpreter, the one that sees python3-torch and python3-onnx (a pyenv one would not). */
    public static final String PYTHON = "/usr/bin/python3";
    private static final Path TRAINING = Path.of("../learned/training").toAbsolutePath().normalize();

    private Trainers() {
    }

    /** Runs {@code command} in learned/training and returns its output; fails the test unless it exits 0. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: install python3, python3-torch, python3-onnx, python3-numpy");
        }
        Process process = new ProcessBuilder(command).directory(TRAINING.toFile()).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        String output = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s:%n%s", command, output).isZero();
        return output;
    }
}
