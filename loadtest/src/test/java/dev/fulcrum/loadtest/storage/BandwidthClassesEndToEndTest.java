package dev.fulcrum.loadtest.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fulcrum in front of an emulated tiered store on real sockets: clients, flush and GC are three
 * bandwidth classes whose rates the pressure controller sets from the tiers' watermarks.
 */
class BandwidthClassesEndToEndTest {

    private static final long MIB = 1024 * 1024;

    private record Sample(long nanos, long[] received, Map<String, double[]> allowedAndRead, double[] watermarks) {
    }

    /**
     * Rates follow the controller: in every steady window (after 10 s, 4-second windows in which
     * the class's source tier had data throughout and its reads paused at the rate in every second,
     * so the offered load exceeded the rate), the bytes
     * that reached the class's tier are compared with the bytes the controller's rates allowed (the
     * integral of the rates it set every tick, which move all the time). A window in which the
     * test's own 100 ms sampling step took over 300 ms saw the machine stall and is not steady.
     * Asserted: within 5% over all steady windows together, within 15% in each one (a loaded 2-core
     * machine can starve one window); the per-window ratios are printed, and
     * docs/pressure-control.md reports them from repeated runs.
     */
    @Test
    void classRatesFollowTheControllerNoTierOverflowsAndClientTrafficKeepsFlowing() throws Exception {
        try (TieredStorageEmulator storage = new TieredStorageEmulator(24 * MIB, 96 * MIB);
                FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.parse(storage.config(4 * MIB), "e2e.yaml"))) {
            storage.startAgents(proxy::listenerAddress);
            List<Sample> samples = new ArrayList<>();
            long start = System.nanoTime();
            while (System.nanoTime() - start < 30_000_000_000L) {
                samples.add(new Sample(System.nanoTime(), storage.received(), proxy.qos().allowedAndReadBytes(),
                        storage.watermarks()));
                Thread.sleep(100);
            }

            for (double highest : storage.highestWatermarks()) {
                assertThat(highest).as("no tier overflows").isLessThan(1.0);
            }
            String[] classes = {"client", "flush", "gc"};
            double[] measuredTotal = new double[3];
            double[] allowedTotal = new double[3];
            List<String> rows = new ArrayList<>();
            List<String> outside = new ArrayList<>();
            int from = firstAfter(samples, start + 10_000_000_000L);
            for (int to = firstAfter(samples, samples.get(from).nanos() + 4_000_000_000L); to < samples.size();
                    from = to, to = firstAfter(samples, samples.get(from).nanos() + 4_000_000_000L)) {
                Sample a = samples.get(from);
                Sample b = samples.get(to);
                String when = String.format("%.1f-%.1f s", (a.nanos() - start) / 1e9, (b.nanos() - start) / 1e9);
                assertThat(b.received()[0] - a.received()[0]).as("client bytes in %s", when).isGreaterThan(0);
                StringBuilder row = new StringBuilder(when);
                if (longestGap(samples, from, to) > 300_000_000L) {
                    rows.add(row.append(" | the machine stalled (a 100 ms sampling step took over 300 ms): not steady").toString());
                    continue;
                }
                for (int c = 0; c < classes.length; c++) {
                    double allowed = b.allowedAndRead().get(classes[c])[0] - a.allowedAndRead().get(classes[c])[0];
                    double measured = b.received()[c] - a.received()[c];
                    row.append(String.format(" | %s %.0f/%.0f", classes[c], measured, allowed));
                    // Rate-bound: the source had data and the shaper held the class back in every second of the
                    // window; else the class moved what it had (or a starved agent offered less than the rate).
                    if ((c > 0 && !sourceHadData(samples, from, to, c - 1)) || !pausedEverySecond(samples, from, to, classes[c])) {
                        row.append(" not rate-bound");
                        continue;
                    }
                    double ratio = measured / allowed;
                    row.append(String.format(" = %.3f", ratio));
                    if (ratio < 0.85 || ratio > 1.15) {
                        outside.add(classes[c] + " in " + when + ": " + ratio);
                    }
                    measuredTotal[c] += measured;
                    allowedTotal[c] += allowed;
                }
                rows.add(row.toString());
            }
            System.out.println("bytes that arrived / bytes the controller's rates allowed, per steady window:");
            rows.forEach(System.out::println);
            assertThat(outside).as("rate-bound windows more than 15% off").isEmpty();
            for (int c = 0; c < classes.length; c++) {
                assertThat(allowedTotal[c]).as("%s: rate-bound windows", classes[c]).isPositive();
                double ratio = measuredTotal[c] / allowedTotal[c];
                System.out.printf("%s over all rate-bound windows: %.4f%n", classes[c], ratio);
                assertThat(ratio).as("%s over all rate-bound windows", classes[c]).isBetween(0.95, 1.05);
            }
            long throttled = (long) proxy.registry().get("fulcrum.qos.throttled").tag("class", "client").functionCounter().count();
            assertThat(throttled).as("the client class was held back").isPositive();
            assertThat(proxy.registry().scrape()).contains("fulcrum_qos_watermark{node=\"cache\"}")
                    .contains("fulcrum_qos_pressure{node=\"disk\"}").contains("fulcrum_qos_class_rate_bytes{class=\"flush\"}");
        }
    }

    private static int firstAfter(List<Sample> samples, long nanos) {
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).nanos() >= nanos) {
                return i;
            }
        }
        return samples.size();
    }

    private static long longestGap(List<Sample> samples, int from, int to) {
        long longest = 0;
        for (int i = from; i < to; i++) {
            longest = Math.max(longest, samples.get(i + 1).nanos() - samples.get(i).nanos());
        }
        return longest;
    }

    private static boolean pausedEverySecond(List<Sample> samples, int from, int to, String cls) {
        int i = from;
        while (i < to) {
            int next = Math.min(to, firstAfter(samples, samples.get(i).nanos() + 1_000_000_000L));
            if (samples.get(next).allowedAndRead().get(cls)[2] <= samples.get(i).allowedAndRead().get(cls)[2]) {
                return false;
            }
            i = next;
        }
        return true;
    }

    private static boolean sourceHadData(List<Sample> samples, int from, int to, int tier) {
        for (int i = from; i <= to; i++) {
            if (samples.get(i).watermarks()[tier] < 0.05) {
                return false;
            }
        }
        return true;
    }
}
