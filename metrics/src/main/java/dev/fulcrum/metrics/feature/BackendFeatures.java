package dev.fulcrum.metrics.feature;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one backend's intervals from every event loop into its {@link FeatureVector} each tick and
 * keeps the channels' moving averages. Owned by the control thread.
 */
public final class BackendFeatures {

    private final String pool;
    private final String backend;
    private final ChannelReducer[] reducers = new ChannelReducer[FeatureSchema.CHANNELS.size()];
    private final boolean tcpInfo;

    /** @param tcpInfo whether TCP_INFO is read (epoll); without it those features are NaN */
    public BackendFeatures(String pool, String backend, double emaDecay, boolean tcpInfo) {
        this.pool = pool;
        this.backend = backend;
        this.tcpInfo = tcpInfo;
        for (int i = 0; i < reducers.length; i++) {
            reducers[i] = new ChannelReducer(emaDecay);
        }
    }

    public FeatureVector reduce(List<TelemetryInterval> loops, long openFlows, long timestampMillis, long tickMillis) {
        double[] values = new double[FeatureSchema.width()];
        for (TelemetryInterval interval : loops) {
            for (int c = 0; c < FeatureSchema.COUNTERS.size(); c++) {
                values[c] += interval.counter(c);
            }
        }
        values[FeatureSchema.N_OPEN] = openFlows;
        List<Reservoir> reservoirs = new ArrayList<>(loops.size());
        for (int channel = 0; channel < reducers.length; channel++) {
            reservoirs.clear();
            for (TelemetryInterval interval : loops) {
                reservoirs.add(interval.channel(channel));
            }
            ChannelSummary summary = reducers[channel].reduce(reservoirs);
            int at = FeatureSchema.column(channel, 0);
            values[at] = summary.mean();
            values[at + 1] = summary.p90();
            values[at + 2] = summary.std();
            values[at + 3] = summary.emaMean();
            values[at + 4] = summary.emaP90();
        }
        if (!tcpInfo) {
            for (int counter : FeatureSchema.TCP_INFO_COUNTERS) {
                values[counter] = Double.NaN;
            }
            for (int channel : FeatureSchema.TCP_INFO_CHANNELS) {
                for (int s = 0; s < FeatureSchema.SCALARS.size(); s++) {
                    values[FeatureSchema.column(channel, s)] = Double.NaN;
                }
            }
        }
        return new FeatureVector(FeatureSchema.VERSION, timestampMillis, tickMillis, pool, backend, values);
    }

    public String pool() {
        return pool;
    }

    public String backend() {
        return backend;
    }
}
