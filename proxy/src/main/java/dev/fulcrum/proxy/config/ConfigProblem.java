package dev.fulcrum.proxy.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param source  the file (or other source) it was read from, as given to {@link ConfigLoader}
 * @param path    where in the file: {@code pools.web.backends[2].address}, {@code runtime.transport};
 *                {@code (file)} for the file as a whole (unreadable, not YAML), {@code (root)} for its top value
 * @param message what was found and what was expected: {@code -3 (expected: an integer from 1 to 10000)}
 */
public record ConfigProblem(String source, String path, String message) {

    public ConfigProblem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code <source>: <path>: <message>}, the form a compiler uses, so editors can jump to the file. */
    @Override
    public String toString() {
        return source + ": " + path + ": " + message;
    }
}
