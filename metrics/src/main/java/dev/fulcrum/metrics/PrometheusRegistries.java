package dev.fulcrum.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Creates the Prometheus registry a Fulcrum process exposes on {@code GET /metrics}. */
public final class PrometheusRegistries {

    private PrometheusRegistries() {
    }

    public static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(HELP_TEXTS);
        return registry;
    }

    /** Gives each meter its help text from {@link MeterNames#HELP}, so code that registers a meter need not repeat it. */
    private static final MeterFilter HELP_TEXTS = new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
            String help = MeterNames.HELP.get(id.getName());
            if (help == null || id.getDescription() != null) {
                return id;
            }
            return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
        }
    };
}
