package dev.fulcrum.learned.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the Python trainer ({@code /usr/bin/python3 -m fulcrum_training train-hash}) from Java, for
 * the experiments: the proxy never trains, but the sim needs models made from its own seeded keys.
 */
public record Trainer(Path trainingDir, String layers, int steps) {

    public static final String PYTHON = "/usr/bin/python3";

    /** Writes {@code keys} (with {@code counts}, or 1 each when null) as CSV and trains a model on them. */
    public Path train(double[] keys, long[] counts, Path out, long seed, String version) throws IOException, InterruptedException {
        Path csv = out.resolveSibling(out.getFileName() + ".keys.csv");
        StringBuilder text = new StringBuilder(counts == null ? "key\n" : "key,count\n");
        for (int i = 0; i < keys.length; i++) {
            text.append(keys[i]);
            if (counts != null) {
                text.append(',').append(counts[i]);
            }
            text.append('\n');
        }
        Files.writeString(csv, text);
        List<String> command = List.of(PYTHON, "-m", "fulcrum_training", "train-hash", "--keys", csv.toString(), "--out",
                out.toString(), "--layers", layers, "--steps", Integer.toString(steps), "--seed", Long.toString(seed),
                "--version", version);
        Process process = new ProcessBuilder(command).directory(trainingDir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("trainer failed (" + String.join(" ", command) + "):\n" + output);
        }
        Files.deleteIfExists(csv);
        return out;
    }
}
