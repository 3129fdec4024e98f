package dev.fulcrum.loadtest.testbed;

import java.util.Locale;

/**
 * One emulated backend's ground truth at one moment, as its stats endpoint answers it. The
 * Aquarius testbed read Apache's busy workers from the scoreboard and CPU usage from /proc/stat
 * (Yao et al. 2021, appendix B.2); here {@code busy} is the busy slots, {@code queue} the requests
 * waiting for one, {@code utilisation} the busy fraction of slot time over the last 250 ms.
 */
public record BackendStats(String name, int slots, double speed, int busy, int queue, double utilisation,
                           long served, long rejected, int maxBusy, int maxQueue) {

    /** The stats endpoint's answer; Fulcrum's dataset reads {@code busy} ({@code groundTruthField: busy}). */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"name\":\"%s\",\"slots\":%d,\"speed\":%s,\"busy\":%d,\"queue\":%d,\"utilisation\":%.4f,"
                        + "\"served\":%d,\"rejected\":%d,\"maxBusy\":%d,\"maxQueue\":%d}",
                name, slots, speed, busy, queue, utilisation, served, rejected, maxBusy, maxQueue);
    }
}
