package dev.fulcrum.proxy.config;

import java.time.Duration;

/** @param tick how often the control thread aggregates telemetry and refreshes policies; default 250 ms */
public record TelemetryConfig(Duration tick) {

    public static final TelemetryConfig DEFAULT = new TelemetryConfig(Duration.ofMillis(250));
}
