package dev.fulcrum.balancing.p2c;

import dev.fulcrum.balancing.DurationNotation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A policy parameter that is a duration, written as the configuration file writes every duration:
 * with a unit ({@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 5m}, {@code 1h}), in whole
 * milliseconds. A bare number is refused, as the file refuses it elsewhere, since {@code 30} could
 * mean seconds or milliseconds; {@code 0} alone needs no unit.
 *
 * @param name the parameter's name
 * @param min  the smallest value accepted
 * @param max  the largest value accepted
 */
record DurationParameter(String name, Duration defaultValue, Duration min, Duration max) {

    static final String DURATION_RULE = DurationNotation.RULE;

    /** The value in {@code parameters}, or the default when absent; adds a problem and returns null when wrong. */
    Duration read(Map<String, Object> parameters, List<String> problems) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        Duration duration;
        if (value instanceof Number number) {
            if (new BigDecimal(number.toString()).signum() != 0) {
                problems.add(name + ": " + number + " (expected: a duration with a unit, e.g. " + number + "s)");
                return null;
            }
            duration = Duration.ZERO;
        } else if (value instanceof String text) {
            duration = parse(text, problems);
            if (duration == null) {
                return null;
            }
        } else {
            problems.add(name + ": " + describe(value) + " (expected: " + DURATION_RULE + ")");
            return null;
        }
        if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            problems.add(name + ": " + describe(value) + " (expected: a duration from " + format(min) + " to " + format(max) + ")");
            return null;
        }
        return duration;
    }

    private Duration parse(String text, List<String> problems) {
        try {
            return DurationNotation.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(name + ": " + describe(text) + " (expected: " + e.getMessage() + ")");
            return null;
        }
    }

    static String format(Duration duration) {
        return DurationNotation.format(duration);
    }

    /** A value as the configuration's problems show it: strings in quotes, collections by kind. */
    static String describe(Object value) {
        if (value instanceof String text) {
            return quote(text);
        }
        if (value instanceof Map<?, ?> map) {
            return map.isEmpty() ? "an empty map" : "a map";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "an empty list" : "a list";
        }
        return String.valueOf(value);
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04X", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
