package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ConfigException;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * YAML configurations mutated from examples/fulcrum.yaml and made at random, with fixed seeds:
 * each one loads or ends in a {@link ConfigException} naming the source, never another exception,
 * never a hang (each parse is bounded).
 */
class ConfigFuzzTest {

    static final int MUTATED = 3000;
    static final int RANDOM = 1000;
    private static final String SOURCE = "fuzz.yaml";
    private static final String[] VALUES = {"-1", "0", "1", "65536", "99999999999999999999", "1e400", "NaN", "-.inf", "abc", "''",
            "\"\"", "[]", "{}", "null", "~", "true", "!!binary AAAA", "&a x", "*a", "*nope", "'", "\"", "5m5s", "-5s", "0ms",
            "1ns", "9999999d", "127.0.0.1:99999", "::1", "[::1]:80", "[::1", "localhost:", ":80", "\u00e9\u4e2d\u0000", "\t",
            "!!python/object:os.system", "<<: *a", "? complex", "- item", "|", ">", "%YAML 1.1", "---", "...", "0x10", "0o7",
            "10KiB", "-10KiB", "1.5", "{low: 64KiB, high: 32KiB}", "[a, b, c]", "{type: maglev, tableSize: 4}", "{type: nope}"};
    private static final String[] KEYS = {"runtime", "admin", "listeners", "pools", "telemetry", "bind", "pool", "backends",
            "address", "weight", "maxConnections", "policy", "type", "idleTimeout", "connectTimeout", "writeBuffer", "low", "high",
            "proxyProtocol", "healthCheck", "outlierDetection", "slowStart", "key", "tick", "eventLoops", "transport", "name",
            "tokenFile", "watchConfig", "drainTimeout", "sni", "sendProxyProtocol", "dataset"};

    private static final ExecutorService PARSER = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "config-fuzz");
        thread.setDaemon(true);
        return thread;
    });

    @AfterAll
    static void stop() {
        PARSER.shutdownNow();
    }

    @Test
    void mutatedExampleConfigsLoadOrFailWithTheLoadersError() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "examples", "fulcrum.yaml"));
        SplittableRandom random = new SplittableRandom(20261122);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < MUTATED; i++) {
            List<String> mutated = new ArrayList<>(lines);
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                mutate(mutated, random);
            }
            outcomes.check(String.join("\n", mutated), i);
        }
        System.out.println("config fuzz, mutated: " + outcomes);
        assertThat(outcomes.valid).as("some mutations stay valid").isPositive();
        assertThat(outcomes.errors).as("most mutations are errors").isGreaterThan(MUTATED / 4);
    }

    @Test
    void randomYamlLoadsOrFailsWithTheLoadersError() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < RANDOM; i++) {
            StringBuilder yaml = new StringBuilder();
            for (int line = random.nextInt(30); line > 0; line--) {
                yaml.append(" ".repeat(2 * random.nextInt(4))).append(pick(KEYS, random)).append(random.nextInt(8) == 0 ? "" : ":")
                        .append(random.nextBoolean() ? " " + pick(VALUES, random) : "").append('\n');
            }
            if (random.nextInt(10) == 0) {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                yaml.append(new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            outcomes.check(yaml.toString(), i);
        }
        System.out.println("config fuzz, random: " + outcomes);
        assertThat(outcomes.errors).isPositive();
    }

    @Test
    void anAliasBombIsRefusedQuickly() throws Exception {
        // "Billion laughs": nine levels of nine aliases each; expanding it would take gigabytes.
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level < 10; level++) {
            String previous = "*a" + (level - 1);
            yaml.append("a").append(level).append(": &a").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, previous))).append("]\n");
        }
        Outcomes outcomes = new Outcomes();
        outcomes.check(yaml.toString(), 0);
        assertThat(outcomes.errors).isEqualTo(1);
    }

    private static void mutate(List<String> lines, SplittableRandom random) {
        if (lines.isEmpty()) {
            lines.add(pick(KEYS, random) + ": " + pick(VALUES, random));
            return;
        }
        int at = random.nextInt(lines.size());
        String line = lines.get(at);
        switch (random.nextInt(9)) {
            case 0 -> lines.remove(at);
            case 1 -> lines.add(at, line);
            case 2 -> java.util.Collections.swap(lines, at, random.nextInt(lines.size()));
            case 3 -> { // a value replaced
                int colon = line.indexOf(':');
                lines.set(at, (colon < 0 ? line : line.substring(0, colon + 1)) + " " + pick(VALUES, random));
            }
            case 4 -> { // a key replaced
                int colon = line.indexOf(':');
                String indent = line.substring(0, line.length() - line.stripLeading().length());
                lines.set(at, indent + pick(KEYS, random) + (colon < 0 ? "" : line.substring(colon)));
            }
            case 5 -> lines.set(at, " ".repeat(random.nextInt(7)) + line.stripLeading()); // indentation
            case 6 -> { // a character flipped
                if (!line.isEmpty()) {
                    char[] chars = line.toCharArray();
                    chars[random.nextInt(chars.length)] = (char) random.nextInt(32, 127);
                    lines.set(at, new String(chars));
                }
            }
            case 7 -> { // truncated here
                lines.subList(at, lines.size()).clear();
                if (!line.isEmpty()) {
                    lines.add(line.substring(0, random.nextInt(line.length())));
                }
            }
            default -> lines.add(at, " ".repeat(2 * random.nextInt(3)) + pick(KEYS, random) + ": " + pick(VALUES, random));
        }
    }

    private static String pick(String[] options, SplittableRandom random) {
        return options[random.nextInt(options.length)];
    }

    /** Tallies outcomes; fails on anything but a config or the loader's own error, or a parse over its bound. */
    private static final class Outcomes {
        int valid;
        int errors;

        @Override
        public String toString() {
            return (valid + errors) + " inputs, " + valid + " valid, " + errors + " ConfigException";
        }

        void check(String yaml, int index) throws Exception {
            Future<Object> parse = PARSER.submit(() -> {
                try {
                    return ConfigLoader.parse(yaml, SOURCE);
                } catch (ConfigException e) {
                    return e;
                }
            });
            Object result;
            try {
                result = parse.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException hang) {
                parse.cancel(true);
                throw new AssertionError("input " + index + " did not finish parsing in 10 s:\n" + yaml);
            } catch (java.util.concurrent.ExecutionException other) {
                throw new AssertionError("input " + index + " threw " + other.getCause() + " (expected: a config or a ConfigException):\n"
                        + yaml, other.getCause());
            }
            if (result instanceof ConfigException error) {
                errors++;
                assertThat(error.getMessage()).as("input %d:%n%s", index, yaml).startsWith(SOURCE);
                assertThat(error.problems()).as("input %d", index).isNotEmpty();
            } else {
                valid++;
            }
        }
    }
}
