package dev.fulcrum.metrics.feature;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IntervalRecorderTest {

    @Test
    void swapsHandOverEveryCountAndTimingExactlyOnceWhileAWriterRuns() throws Exception {
        int total = 200_000;
        IntervalRecorder recorder = new IntervalRecorder(16, 3);
        Thread writer = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                long token = recorder.enter();
                try {
                    TelemetryInterval interval = recorder.active();
                    interval.count(FeatureSchema.N_P, 1);
                    interval.sample(FeatureSchema.BYTE_P, i);
                    interval.time(TelemetryInterval.TIMING_CONNECT, 100);
                } finally {
                    recorder.exit(token);
                }
            }
        });
        long counted = 0;
        long timed = 0;
        long seen = 0;
        writer.start();
        while (writer.isAlive()) {
            TelemetryInterval interval = recorder.swapInterval();
            counted += interval.counter(FeatureSchema.N_P);
            timed += interval.timing(TelemetryInterval.TIMING_CONNECT).count();
            seen += interval.channel(FeatureSchema.BYTE_P).seen();
            assertThat(interval.channel(FeatureSchema.BYTE_P).size()).isLessThanOrEqualTo(16);
            Thread.sleep(1);
        }
        writer.join();
        TelemetryInterval last = recorder.swapInterval();
        counted += last.counter(FeatureSchema.N_P);
        timed += last.timing(TelemetryInterval.TIMING_CONNECT).count();
        seen += last.channel(FeatureSchema.BYTE_P).seen();
        assertThat(counted).isEqualTo(total);
        assertThat(timed).isEqualTo(total);
        assertThat(seen).isEqualTo(total);
    }

    @Test
    void timingsOutsideTheRangeAreClampedNotLost() {
        IntervalRecorder recorder = new IntervalRecorder(4, 1);
        long token = recorder.enter();
        recorder.active().time(TelemetryInterval.TIMING_RTT, 0);
        recorder.active().time(TelemetryInterval.TIMING_RTT, TelemetryInterval.MAX_TIMING_MICROS * 10);
        recorder.exit(token);
        assertThat(recorder.swapInterval().timing(TelemetryInterval.TIMING_RTT).count()).isEqualTo(2);
    }
}
