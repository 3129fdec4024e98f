package dev.fulcrum.proxy;

import dev.fulcrum.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;

/** {@code fulcrum_sni_fallbacks_total{listener, reason}}: flows of an sni-keyed listener keyed on the client address instead. */
final class SniFallbacks {

    private final Map<ClientHelloSni.Reason, Counter> counters = new EnumMap<>(ClientHelloSni.Reason.class);

    SniFallbacks(String listener, MeterRegistry registry) {
        for (ClientHelloSni.Reason reason : ClientHelloSni.Reason.values()) {
            if (reason != ClientHelloSni.Reason.FOUND && reason != ClientHelloSni.Reason.NEED_MORE) {
                counters.put(reason, registry.counter(MeterNames.SNI_FALLBACKS,
                        Tags.of(MeterNames.TAG_LISTENER, listener, MeterNames.TAG_REASON, reason.tag())));
            }
        }
    }

    void count(ClientHelloSni.Reason reason) {
        Counter counter = counters.get(reason);
        if (counter != null) {
            counter.increment();
        }
    }
}
