package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.metrics.feature.BackendFeatures;
import dev.fulcrum.metrics.feature.BucketTiming;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.metrics.feature.TelemetryInterval;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One pool's telemetry on the control thread: each tick it swaps every loop's intervals of each
 * backend, reduces them to the backend's {@link FeatureVector}, and moves the tick's timings and
 * counts into Prometheus meters. The data plane never touches a Micrometer meter through here, so
 * no event loop meets the monitors some Micrometer meters take.
 */
final class PoolTelemetry {

    /**
     * Fixed histogram buckets shared by every timing, so the series count is bounded and known: the
     * buckets the event loops count in ({@link BucketTiming}), so replaying them loses nothing.
     */
    static final Duration[] BUCKETS = Arrays.stream(BucketTiming.boundsMicros())
            .mapToObj(micros -> Duration.of(micros, ChronoUnit.MICROS)).toArray(Duration[]::new);

    private static final String[] TIMING_NAMES = {MeterNames.BACKEND_CONNECT_TIME, MeterNames.BACKEND_FIRST_BYTE_TIME,
        MeterNames.BACKEND_FLOW_COMPLETION_TIME, MeterNames.BACKEND_RTT};

    private final String name;
    private final BackendSet backends;
    private final List<LoopTelemetry.PoolLoop> loops;
    private final BackendFeatures[] features;
    private final Timer[][] timers;
    private final Counter[] retries;
    /** Gauge values as double bits: written by the control thread, read by scrapes. */
    private final AtomicLongArray cwnd;
    private final AtomicLongArray rcvSpace;
    /** Bound to this pool's states and arrays: removed when a reload replaces the pool (Micrometer keeps the first gauge of a name). */
    private final List<Gauge> gauges = new ArrayList<>();

    PoolTelemetry(String name, BackendSet backends, List<LoopTelemetry> loops, int reservoirSize, double emaDecay,
            boolean tcpInfo, MeterRegistry registry) {
        this.name = name;
        this.backends = backends;
        int n = backends.size();
        List<LoopTelemetry.PoolLoop> poolLoops = new ArrayList<>();
        for (LoopTelemetry loop : loops) {
            LoopTelemetry.PoolLoop poolLoop = new LoopTelemetry.PoolLoop(backends, reservoirSize, (long) loop.index * 7919 + name.hashCode());
            poolLoops.add(poolLoop);
        }
        this.loops = List.copyOf(poolLoops);
        features = new BackendFeatures[n];
        timers = new Timer[n][TelemetryInterval.TIMINGS];
        retries = new Counter[n];
        cwnd = new AtomicLongArray(n);
        rcvSpace = new AtomicLongArray(n);
        for (BackendState state : backends.states()) {
            int i = state.index();
            String backend = state.backend().name();
            features[i] = new BackendFeatures(name, backend, emaDecay, tcpInfo);
            Tags tags = Tags.of(MeterNames.TAG_POOL, name, MeterNames.TAG_BACKEND, backend);
            for (int t = 0; t < TelemetryInterval.TIMINGS; t++) {
                if (t == TelemetryInterval.TIMING_RTT && !tcpInfo) {
                    continue;
                }
                timers[i][t] = Timer.builder(TIMING_NAMES[t]).tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
            }
            retries[i] = registry.counter(MeterNames.BACKEND_CONNECT_RETRIES, tags);
            gauges.add(Gauge.builder(MeterNames.BACKEND_WEIGHT, state, BackendState::weight).tags(tags).register(registry));
            if (tcpInfo) {
                cwnd.set(i, Double.doubleToLongBits(Double.NaN));
                rcvSpace.set(i, Double.doubleToLongBits(Double.NaN));
                gauges.add(Gauge.builder(MeterNames.BACKEND_TCP_CWND, cwnd, a -> Double.longBitsToDouble(a.get(i)))
                        .baseUnit("bytes").tags(tags).register(registry));
                gauges.add(Gauge.builder(MeterNames.BACKEND_TCP_RCV_SPACE, rcvSpace, a -> Double.longBitsToDouble(a.get(i)))
                        .baseUnit("bytes").tags(tags).register(registry));
            }
        }
    }

    /** Registers this pool's recorders with every loop; done once, before flows of the pool start. */
    void attach(List<LoopTelemetry> loopTelemetry) {
        for (int l = 0; l < loopTelemetry.size(); l++) {
            loopTelemetry.get(l).addPool(loops.get(l));
        }
    }

    /**
     * Stops measuring this pool (a reload replaced or removed it): the loops forget its recorders
     * (flows already measured into them finish there) and its gauges go.
     */
    void detach(List<LoopTelemetry> loopTelemetry, MeterRegistry registry) {
        for (int l = 0; l < loopTelemetry.size(); l++) {
            loopTelemetry.get(l).removePool(loops.get(l));
        }
        gauges.forEach(registry::remove);
    }

    BackendSet backends() {
        return backends;
    }

    String name() {
        return name;
    }

    /** One tick, on the control thread: every backend's features. */
    void tick(long timestampMillis, long tickMillis, List<FeatureVector> out) {
        List<TelemetryInterval> intervals = new ArrayList<>(loops.size());
        for (BackendState state : backends.states()) {
            int i = state.index();
            intervals.clear();
            for (LoopTelemetry.PoolLoop loop : loops) {
                intervals.add(loop.recorders[i].swapInterval());
            }
            FeatureVector vector = features[i].reduce(intervals, state.activeFlows(), timestampMillis, tickMillis);
            out.add(vector);
            long retried = 0;
            for (TelemetryInterval interval : intervals) {
                retried += interval.counter(FeatureSchema.N_RETRY);
                for (int t = 0; t < TelemetryInterval.TIMINGS; t++) {
                    if (timers[i][t] != null) {
                        replay(interval.timing(t), timers[i][t]);
                    }
                }
            }
            if (retried > 0) {
                retries[i].increment(retried);
            }
            // The gauges keep the last tick that sampled a window: no sample is not a zero window.
            if (seen(intervals, FeatureSchema.WIN) > 0) {
                cwnd.set(i, Double.doubleToLongBits(vector.values()[FeatureSchema.column(FeatureSchema.WIN, 0)]));
                rcvSpace.set(i, Double.doubleToLongBits(vector.values()[FeatureSchema.column(FeatureSchema.RCV_SPACE, 0)]));
            }
        }
    }

    private static long seen(List<TelemetryInterval> intervals, int channel) {
        long seen = 0;
        for (TelemetryInterval interval : intervals) {
            seen += interval.channel(channel).seen();
        }
        return seen;
    }

    /**
     * Moves an interval's timing into a Micrometer timer with the same buckets, one record per value
     * (same buckets, sum and max as recorded): the control thread's cost grows with the flows of the
     * tick, never the data plane's.
     */
    private static void replay(BucketTiming timing, Timer timer) {
        if (timing.count() > 0) {
            timing.replay(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
        }
    }
}
