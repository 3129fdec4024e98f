package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A position in the YAML tree that knows its path, so that every reader reports where a problem
 * is without passing paths around. A cursor on an absent key is valid: its typed readers return the
 * default, which is how optional fields get their defaults. Readers report a problem and return
 * the default (or {@code null}) rather than throwing, so that reading goes on and finds the rest.
 */
final class Cursor {

    private static final Pattern PLAIN_SEGMENT = Pattern.compile("[A-Za-z0-9_:-]+");
    private static final int LONGEST_QUOTE = 80;

    private final Problems problems;
    private final String path;
    private final JsonNode node;

    private Cursor(Problems problems, String path, JsonNode node) {
        this.problems = problems;
        this.path = path;
        this.node = node == null || node.isMissingNode() ? null : node;
    }

    static Cursor root(JsonNode node, Problems problems) {
        return new Cursor(problems, "", node);
    }

    /** Where this is: {@code listeners.web.bind}, {@code pools["a b"]}, {@code (root)} for the top. */
    String path() {
        return path.isEmpty() ? "(root)" : path;
    }

    Problems problems() {
        return problems;
    }

    boolean isAbsent() {
        return node == null;
    }

    boolean isMap() {
        return node != null && node.isObject();
    }

    boolean isText() {
        return node != null && node.isTextual();
    }

    JsonNode node() {
        return node;
    }

    String text() {
        return node.textValue();
    }

    Cursor field(String name) {
        return new Cursor(problems, childPath(path, name), isMap() ? node.get(name) : null);
    }

    /** The entries of a map in file order; none when this is not a map. */
    Map<String, Cursor> entries() {
        Map<String, Cursor> entries = new LinkedHashMap<>();
        if (isMap()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                entries.put(e.getKey(), new Cursor(problems, childPath(path, e.getKey()), e.getValue()));
            }
        }
        return entries;
    }

    /** The elements of a list; none when this is not a list. */
    List<Cursor> elements() {
        List<Cursor> elements = new ArrayList<>();
        if (node != null && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                elements.add(new Cursor(problems, path + "[" + i + "]", node.get(i)));
            }
        }
        return elements;
    }

    // ---- reporting ----

    void report(String message) {
        problems.add(path(), message);
    }

    /** For problems a policy factory reports below its parameters ({@code weights.a}, {@code list[2]}). */
    void reportBelow(String suffix, String message) {
        problems.add(path + suffix, message);
    }

    /** Reports {@code <what was found> (expected: <expectation>)}; returns null for the caller to return. */
    <T> T expected(String expectation) {
        report(found() + " (expected: " + expectation + ")");
        return null;
    }

    <T> T expectedOneOf(Collection<String> choices) {
        report(found() + " (expected one of: " + String.join(", ", choices) + ")");
        return null;
    }

    /** What the file has here, as a message shows it: {@code "10.0.0.1"}, {@code -3}, {@code a list}. */
    String found() {
        if (node == null) {
            return "missing";
        }
        if (node.isNull()) {
            return "empty";
        }
        if (node.isTextual()) {
            return quote(node.textValue());
        }
        if (node.isObject()) {
            return node.isEmpty() ? "an empty map" : "a map";
        }
        if (node.isArray()) {
            return node.isEmpty() ? "an empty list" : "a list";
        }
        return node.asText();
    }

    /** A string as messages show it: in JSON quotes, so blanks and escapes are visible; long ones cut. */
    static String quote(String text) {
        String shown = text.length() > LONGEST_QUOTE ? text.substring(0, LONGEST_QUOTE - 3) + "..." : text;
        return new TextNode(shown).toString();
    }

    /** Reports every key of this map that is not {@code known}, with the nearest known key as a hint. */
    void rejectUnknownFields(List<String> known) {
        for (Map.Entry<String, Cursor> e : entries().entrySet()) {
            if (!known.contains(e.getKey())) {
                String nearest = Suggestions.nearest(e.getKey(), known);
                e.getValue().report("unknown field" + (nearest == null ? "" : ", did you mean " + nearest + "?")
                        + " (expected one of: " + String.join(", ", known) + ")");
            }
        }
    }

    // ---- shapes ----

    /**
     * A section that may be left out: absent or empty ({@code runtime:} alone) means all defaults.
     * Anything but a map is reported; its fields then read as absent, so reading can go on.
     */
    void optionalMap(String expectation) {
        if (node != null && !node.isNull() && !node.isObject()) {
            expected(expectation);
        }
    }

    /** A map that must be there with at least one entry; reports otherwise and returns false. */
    boolean requiredMap(String expectation) {
        if (node != null && node.isObject() && !node.isEmpty()) {
            return true;
        }
        expected(expectation);
        return false;
    }

    /** Like {@link #requiredMap} for a list. */
    boolean requiredList(String expectation) {
        if (node != null && node.isArray() && !node.isEmpty()) {
            return true;
        }
        expected(expectation);
        return false;
    }

    // ---- typed readers: absent gives the default; anything wrong is reported and gives the default ----

    int integer(int defaultValue, int min, int max) {
        if (node == null) {
            return defaultValue;
        }
        String expectation = max == Integer.MAX_VALUE
                ? "an integer >= " + min
                : "an integer from " + min + " to " + max;
        // canConvertToInt guards against longs and big integers that would wrap around.
        if (!node.isIntegralNumber() || !node.canConvertToInt()
                || node.intValue() < min || node.intValue() > max) {
            expected(expectation);
            return defaultValue;
        }
        return node.intValue();
    }

    /**
     * A duration with a unit. {@code 0} alone is accepted as no time at all: it needs no unit.
     * Any other bare number is refused, since {@code 30} could mean seconds or milliseconds.
     */
    Duration duration(Duration defaultValue, Duration min, Duration max, String range) {
        if (node == null) {
            return defaultValue;
        }
        Duration value;
        if (node.isNumber()) {
            if (!(node.isIntegralNumber() && node.canConvertToLong() && node.longValue() == 0)) {
                expected("a duration with a unit, e.g. " + node.asText() + "s");
                return defaultValue;
            }
            value = Duration.ZERO;
        } else if (node.isTextual()) {
            try {
                value = ValueParsers.parseDuration(text());
            } catch (IllegalArgumentException e) {
                expected(e.getMessage());
                return defaultValue;
            }
        } else {
            expected(ValueParsers.DURATION_RULE);
            return defaultValue;
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            expected(range);
            return defaultValue;
        }
        return value;
    }

    /** Bytes, as an integer or a string with a unit; see {@link ValueParsers#parseSize}. */
    int size(int defaultValue, long min, long max) {
        if (node == null) {
            return defaultValue;
        }
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (node.isTextual()) {
            try {
                value = ValueParsers.parseSize(text());
            } catch (IllegalArgumentException e) {
                expected(e.getMessage());
                return defaultValue;
            }
        } else {
            expected(ValueParsers.SIZE_RULE);
            return defaultValue;
        }
        if (value < min || value > max) {
            expected("a size from " + ValueParsers.formatSize(min) + " to " + ValueParsers.formatSize(max));
            return defaultValue;
        }
        return (int) value;
    }

    /** One of a fixed set of words, by their names in the file. */
    <E> E choice(E defaultValue, Map<String, E> choices) {
        if (node == null) {
            return defaultValue;
        }
        E value = isText() ? choices.get(text()) : null;
        if (value == null) {
            expectedOneOf(choices.keySet());
            return defaultValue;
        }
        return value;
    }

    /**
     * {@code host:port} with a port from {@code minPort} to 65535; {@code null} when absent
     * (reported as missing with {@code whenMissing}) or wrong (reported).
     */
    HostPort hostPort(int minPort, String whenMissing) {
        if (node == null || node.isNull()) {
            return expected(whenMissing);
        }
        if (!isText()) {
            return expected(ValueParsers.HOST_PORT_RULE);
        }
        HostPort value;
        try {
            value = ValueParsers.parseHostPort(text());
        } catch (IllegalArgumentException e) {
            return expected(e.getMessage());
        }
        if (value.port() < minPort || value.port() > 65535) {
            return expected("a port from " + minPort + " to 65535");
        }
        return value;
    }

    /** {@code parent.key}, or {@code parent["key"]} for a key a dot-separated path would garble. */
    static String childPath(String parent, String key) {
        if (!PLAIN_SEGMENT.matcher(key).matches()) {
            // Keys with dots, blanks or quotes would make the path ambiguous: quote them.
            return parent + "[" + quote(key) + "]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }
}
