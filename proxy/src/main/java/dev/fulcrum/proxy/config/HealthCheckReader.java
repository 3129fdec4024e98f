package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.config.HealthCheckConfig.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads a pool's {@code health:}; see {@link HealthCheckConfig} for what each field means. */
final class HealthCheckReader {

    static final List<String> HEALTH_FIELDS = List.of("type", "path", "expectStatus", "interval", "timeout", "rise", "fall");
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    static final int MAX_RISE_FALL = 100;
    static final String PATH_RULE = "a path starting with /, without blanks, e.g. /healthz";
    static final String STATUS_RULE = "a status from 100 to 599, or a class 1xx to 5xx";

    // Printable ASCII but the blank: anything else would break (or smuggle into) the request line.
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
    private static final Pattern STATUS_CLASS = Pattern.compile("[1-5]xx");
    private static final Map<String, Type> TYPES = new LinkedHashMap<>();

    static {
        for (Type t : Type.values()) {
            TYPES.put(t.configName(), t);
        }
    }

    private HealthCheckReader() {
    }

    /** The checks, or {@code null} when absent or wrong (wrong is reported). */
    static HealthCheckConfig read(Cursor health) {
        if (health.isAbsent()) {
            return null;
        }
        if (!health.isMap()) {
            return health.expected("a map with type (" + String.join(" or ", TYPES.keySet()) + ") and the check's settings");
        }
        int before = health.problems().count();
        health.rejectUnknownFields(HEALTH_FIELDS);
        Cursor typeField = health.field("type");
        Type type = typeField.isAbsent() ? typeField.expectedOneOf(TYPES.keySet()) : typeField.choice(null, TYPES);
        Duration interval = health.field("interval").duration(HealthCheckConfig.DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL,
                "a duration from " + ValueParsers.formatDuration(MIN_INTERVAL) + " to " + ValueParsers.formatDuration(MAX_INTERVAL));
        Cursor timeoutField = health.field("timeout");
        Duration timeout = timeoutField.duration(HealthCheckConfig.DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_INTERVAL,
                "a duration from " + ValueParsers.formatDuration(MIN_TIMEOUT) + " to " + ValueParsers.formatDuration(MAX_INTERVAL));
        if (health.problems().count() == before && timeout.compareTo(interval) >= 0) {
            // A check still running when the next one is due would make two results of one moment.
            timeoutField.report((timeoutField.isAbsent() ? "the default " + ValueParsers.formatDuration(timeout)
                    : timeoutField.found()) + " (expected: less than interval, " + ValueParsers.formatDuration(interval) + ")");
        }
        int rise = health.field("rise").integer(HealthCheckConfig.DEFAULT_RISE, 1, MAX_RISE_FALL);
        int fall = health.field("fall").integer(HealthCheckConfig.DEFAULT_FALL, 1, MAX_RISE_FALL);
        String path = null;
        List<String> expectStatus = List.of();
        if (type == Type.HTTP) {
            path = path(health.field("path"));
            expectStatus = expectStatus(health.field("expectStatus"));
        } else if (type == Type.TCP) {
            for (String httpOnly : List.of("path", "expectStatus")) {
                Cursor field = health.field(httpOnly);
                if (!field.isAbsent()) {
                    field.report("not used by type tcp (expected: type http, or no " + httpOnly + ")");
                }
            }
        }
        if (health.problems().count() > before) {
            return null;
        }
        return new HealthCheckConfig(type, path, expectStatus, interval, timeout, rise, fall);
    }

    private static String path(Cursor path) {
        if (path.isAbsent()) {
            return HealthCheckConfig.DEFAULT_PATH;
        }
        if (!path.isText() || !PATH.matcher(path.text()).matches()) {
            return path.expected(PATH_RULE);
        }
        return path.text();
    }

    /** {@code 200}, {@code "2xx"} or a list of those; each entry normalised to its text ({@code "200"}, {@code "2xx"}). */
    private static List<String> expectStatus(Cursor expect) {
        if (expect.isAbsent()) {
            return HealthCheckConfig.DEFAULT_EXPECT_STATUS;
        }
        if (expect.node().isArray()) {
            if (expect.node().isEmpty()) {
                return expect.expected(STATUS_RULE + ", or a list of those");
            }
            List<String> statuses = new ArrayList<>();
            for (Cursor element : expect.elements()) {
                String status = status(element);
                if (status != null && !statuses.contains(status)) {
                    statuses.add(status);
                }
            }
            return statuses;
        }
        String status = status(expect);
        return status == null ? null : List.of(status);
    }

    private static String status(Cursor status) {
        JsonNode node = status.node();
        if (node != null && node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 100 && node.intValue() <= 599) {
            return Integer.toString(node.intValue());
        }
        if (status.isText()) {
            String lower = status.text().toLowerCase(Locale.ROOT);
            if (STATUS_CLASS.matcher(lower).matches()) {
                return lower;
            }
            // A quoted "200" means the same as 200.
            if (lower.matches("[1-5]\\d\\d")) {
                return lower;
            }
        }
        return status.expected(STATUS_RULE);
    }
}
