package dev.fulcrum.proxy.reliability;

import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;

/** Counters read from the proxy's Prometheus scrape, as an operator would read them. */
final class Scrape {

    private Scrape() {
    }

    /** The sum of a counter's series whose labels include {@code labelMatch} (e.g. {@code backend="b0"}). */
    static double counter(FulcrumProxy proxy, String name, String labelMatch) {
        double sum = 0;
        for (String line : proxy.registry().scrape().split("\n")) {
            if (line.startsWith(name + "{") && line.contains(labelMatch)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    static long ended(FulcrumProxy proxy, EndReason reason) {
        return proxy.flowsEnded(TestConfigs.LISTENER, reason);
    }

    static long endedTotal(FulcrumProxy proxy) {
        long total = 0;
        for (EndReason reason : EndReason.values()) {
            total += proxy.flowsEnded(TestConfigs.LISTENER, reason);
        }
        return total;
    }
}
