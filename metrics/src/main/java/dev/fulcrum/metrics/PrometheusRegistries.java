package dev.fulcrum.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Creates the Prometheus registry a Fulcrum process exposes on {@code GET /metrics}. */
public final class PrometheusRegistries {

    private PrometheusRegistries() {
    }

    public static PrometheusMeterRegistry create() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
}
