package dev.fulcrum.proxy.config;

import java.time.Duration;

/**
 * A pool's operational settings, apart from its policy and checks: passive ejection, slow start
 * and the PROXY protocol header sent to its backends. See docs/operations-flow.md.
 *
 * @param outlierDetection  passive ejection, or {@code null} for none
 * @param slowStart         slow start, or {@code null} for none
 * @param sendProxyProtocol the PROXY protocol header each backend connection starts with
 */
public record PoolOperations(OutlierDetectionConfig outlierDetection, SlowStartConfig slowStart,
        SendProxyProtocol sendProxyProtocol) {

    /** No ejection, no slow start, no header: a pool as it was before these settings existed. */
    public static final PoolOperations NONE = new PoolOperations(null, null, SendProxyProtocol.OFF);

    /**
     * {@code outlierDetection: {consecutiveFailures: 5, baseEjectionTime: 30s, maxEjectionTime: 300s,
     * maxEjectionPercent: 50}}.
     */
    public record OutlierDetectionConfig(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
            int maxEjectionPercent) {
        public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
        public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
        public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
        public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;
    }

    /** {@code slowStart: {window: 30s, aggression: 1.0, minWeightPercent: 10}}. */
    public record SlowStartConfig(Duration window, double aggression, int minWeightPercent) {
        public static final double DEFAULT_AGGRESSION = 1.0;
        public static final int DEFAULT_MIN_WEIGHT_PERCENT = 10;
    }

    /** Whether backend connections start with a PROXY protocol header naming the client. */
    public enum SendProxyProtocol {
        OFF("off"),
        V1("v1"),
        V2("v2");

        private final String configName;

        SendProxyProtocol(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }
}
