package dev.fulcrum.proxy.config;

import dev.fulcrum.proxy.config.PoolOperations.OutlierDetectionConfig;
import dev.fulcrum.proxy.config.PoolOperations.SendProxyProtocol;
import dev.fulcrum.proxy.config.PoolOperations.SlowStartConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a pool's {@code outlierDetection}, {@code slowStart} and {@code sendProxyProtocol}. */
final class PoolOperationsReader {

    static final List<String> FIELDS = List.of("outlierDetection", "slowStart", "sendProxyProtocol");
    static final List<String> OUTLIER_FIELDS = List.of("consecutiveFailures", "baseEjectionTime", "maxEjectionTime",
            "maxEjectionPercent");
    static final List<String> SLOW_START_FIELDS = List.of("window", "aggression", "minWeightPercent");
    static final Duration MAX_EJECTION_TIME = Duration.ofHours(24);
    static final Duration MAX_WINDOW = Duration.ofHours(1);
    static final int MAX_CONSECUTIVE_FAILURES = 1000;
    static final double MAX_AGGRESSION = 100;

    private static final Map<String, SendProxyProtocol> SEND = new LinkedHashMap<>();

    static {
        for (SendProxyProtocol p : SendProxyProtocol.values()) {
            SEND.put(p.configName(), p);
        }
    }

    private PoolOperationsReader() {
    }

    static PoolOperations read(Cursor pool) {
        return new PoolOperations(outlierDetection(pool.field("outlierDetection")), slowStart(pool.field("slowStart")),
                sendProxyProtocol(pool.field("sendProxyProtocol")));
    }

    private static OutlierDetectionConfig outlierDetection(Cursor field) {
        if (field.isAbsent()) {
            return null;
        }
        if (!field.isMap()) {
            return field.expected("a map with " + String.join(", ", OUTLIER_FIELDS));
        }
        int before = field.problems().count();
        field.rejectUnknownFields(OUTLIER_FIELDS);
        int failures = field.field("consecutiveFailures").integer(OutlierDetectionConfig.DEFAULT_CONSECUTIVE_FAILURES,
                1, MAX_CONSECUTIVE_FAILURES);
        String range = "a duration from 1ms to " + ValueParsers.formatDuration(MAX_EJECTION_TIME);
        Duration base = field.field("baseEjectionTime").duration(OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME,
                Duration.ofMillis(1), MAX_EJECTION_TIME, range);
        Cursor maxField = field.field("maxEjectionTime");
        Duration max = maxField.duration(OutlierDetectionConfig.DEFAULT_MAX_EJECTION_TIME.compareTo(base) < 0
                ? base : OutlierDetectionConfig.DEFAULT_MAX_EJECTION_TIME, Duration.ofMillis(1), MAX_EJECTION_TIME, range);
        if (field.problems().count() == before && max.compareTo(base) < 0) {
            maxField.report(maxField.found() + " (expected: at least baseEjectionTime, "
                    + ValueParsers.formatDuration(base) + ")");
        }
        int percent = field.field("maxEjectionPercent").integer(OutlierDetectionConfig.DEFAULT_MAX_EJECTION_PERCENT, 0, 100);
        if (field.problems().count() > before) {
            return null;
        }
        return new OutlierDetectionConfig(failures, base, max, percent);
    }

    private static SlowStartConfig slowStart(Cursor field) {
        if (field.isAbsent()) {
            return null;
        }
        if (!field.isMap()) {
            return field.expected("a map with window, and optionally aggression and minWeightPercent");
        }
        int before = field.problems().count();
        field.rejectUnknownFields(SLOW_START_FIELDS);
        Cursor windowField = field.field("window");
        Duration window = windowField.isAbsent() ? windowField.expected("a duration, e.g. 30s")
                : windowField.duration(null, Duration.ofMillis(1), MAX_WINDOW,
                        "a duration from 1ms to " + ValueParsers.formatDuration(MAX_WINDOW));
        double aggression = aggression(field.field("aggression"));
        int minPercent = field.field("minWeightPercent").integer(SlowStartConfig.DEFAULT_MIN_WEIGHT_PERCENT, 1, 100);
        if (field.problems().count() > before) {
            return null;
        }
        return new SlowStartConfig(window, aggression, minPercent);
    }

    private static double aggression(Cursor field) {
        if (field.isAbsent()) {
            return SlowStartConfig.DEFAULT_AGGRESSION;
        }
        if (!field.node().isNumber() || !(field.node().doubleValue() > 0) || field.node().doubleValue() > MAX_AGGRESSION) {
            field.expected("a number above 0 and at most " + (int) MAX_AGGRESSION + " (1 ramps linearly)");
            return SlowStartConfig.DEFAULT_AGGRESSION;
        }
        return field.node().doubleValue();
    }

    private static SendProxyProtocol sendProxyProtocol(Cursor field) {
        // YAML 1.1 reads a bare `off` (and `no`, `false`) as the boolean false.
        if (!field.isAbsent() && field.node().isBoolean() && !field.node().booleanValue()) {
            return SendProxyProtocol.OFF;
        }
        return field.choice(SendProxyProtocol.OFF, SEND);
    }
}
