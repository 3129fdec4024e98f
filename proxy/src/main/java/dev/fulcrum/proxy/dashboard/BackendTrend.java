package dev.fulcrum.proxy.dashboard;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One backend's recent flow rate and flow-completion-time quantiles, from the totals the proxy keeps
 * anyway (the flows counter, the Prometheus histogram of flow completion times): sampled each
 * control tick into sliding windows, so the dashboard shows the last seconds and not the average
 * since start. Owned by the control thread.
 */
public final class BackendTrend {

    private final int samples;
    private final SlidingWindow flows;
    private SlidingWindow fct;
    private double[] fctBoundsMillis;

    /** @param samples how many ticks the windows keep (at least 2) */
    public BackendTrend(int samples) {
        this.samples = samples;
        this.flows = new SlidingWindow(samples, 1);
    }

    /**
     * Records this tick's totals.
     *
     * @param fctSnapshot the flow-completion-time timer's snapshot (cumulative buckets since start),
     *                    or null when telemetry is off
     */
    public void sample(long nanos, long flowsTotal, HistogramSnapshot fctSnapshot) {
        flows.add(nanos, new double[] {flowsTotal});
        if (fctSnapshot == null) {
            return;
        }
        CountAtBucket[] buckets = fctSnapshot.histogramCounts();
        if (fct == null || fctBoundsMillis.length != buckets.length) {
            fct = new SlidingWindow(samples, buckets.length + 1);
            fctBoundsMillis = new double[buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                fctBoundsMillis[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
            }
        }
        double[] counts = new double[buckets.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].count();
        }
        counts[buckets.length] = fctSnapshot.count();
        fct.add(nanos, counts);
    }

    /** New flows per second over the window, NaN until two ticks were sampled. */
    public double flowsPerSecond() {
        return flows.spansTime() ? flows.deltas()[0] / flows.seconds() : Double.NaN;
    }

    /** The q-quantile of the flow completion times of the flows that ended in the window, ms; NaN without one. */
    public double fctMillis(double q) {
        if (fct == null || !fct.spansTime()) {
            return Double.NaN;
        }
        double[] deltas = fct.deltas();
        double[] cumulative = Arrays.copyOf(deltas, fctBoundsMillis.length);
        return BucketQuantile.estimate(q, fctBoundsMillis, cumulative, deltas[fctBoundsMillis.length]);
    }
}
