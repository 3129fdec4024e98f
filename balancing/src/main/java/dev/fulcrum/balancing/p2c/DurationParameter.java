package dev.fulcrum.balancing.p2c;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    static final String DURATION_RULE = "a duration such as 250ms, 2s, 5m or 1h";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)\\s*(ms|s|m|h)");

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
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            problems.add(name + ": " + describe(text) + " (expected: " + DURATION_RULE + ")");
            return null;
        }
        long unitMillis = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis));
        if (millis.stripTrailingZeros().scale() > 0) {
            problems.add(name + ": " + describe(text) + " (expected: a whole number of milliseconds, e.g. 250ms)");
            return null;
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    /** The largest unit that writes {@code duration} exactly: {@code 5m}, {@code 10s}, {@code 250ms}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
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
