package dev.fulcrum.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Shared helpers of the configuration tests. */
final class ConfigTesting {

    static final String SOURCE = "cfg.yaml";

    /**
     * The smallest valid file (one listener, one pool with one backend string), to which a test
     * adds the one thing it is about. Tests rely on its exact text, e.g. the line {@code "    pool: web\n"}.
     */
    static final String MINIMAL = resource("minimal.yaml");

    private ConfigTesting() {
    }

    static FulcrumConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, SOURCE);
    }

    /** Every problem of {@code yaml}, as printed: {@code cfg.yaml: path: message}. */
    static List<String> problemsOf(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));
        assertThat(e).as("problems of:\n%s", yaml).isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems().stream().map(Object::toString).toList()));
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    static String resource(String name) {
        try (InputStream in = ConfigTesting.class.getResourceAsStream("/config/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource config/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
