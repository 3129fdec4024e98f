package dev.fulcrum.metrics.feature;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ChannelRecorderTest {

    @Test
    void swapsHandOverEveryRecordedValueExactlyOnceWhileAWriterRuns() throws Exception {
        int total = 300_000;
        // Large enough to keep every value, so the test can check each one.
        ChannelRecorder recorder = new ChannelRecorder(1 << 19, 7);
        Thread writer = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                recorder.record(i);
            }
        });
        BitSet seen = new BitSet(total);
        long counted = 0;
        writer.start();
        while (writer.isAlive()) {
            counted += drain(recorder.swapInterval(), seen);
            Thread.sleep(1);
        }
        writer.join();
        counted += drain(recorder.swapInterval(), seen);
        assertThat(counted).isEqualTo(total);
        assertThat(seen.cardinality()).as("every value once").isEqualTo(total);
    }

    private static long drain(Reservoir interval, BitSet seen) {
        for (int i = 0; i < interval.size(); i++) {
            int value = (int) interval.value(i);
            assertThat(seen.get(value)).as("value %d handed over twice", value).isFalse();
            seen.set(value);
        }
        return interval.seen();
    }

    @Test
    void anIntervalWithNoRecordIsEmpty() {
        ChannelRecorder recorder = new ChannelRecorder(8, 1);
        recorder.record(1);
        assertThat(recorder.swapInterval().seen()).isEqualTo(1);
        assertThat(recorder.swapInterval().seen()).isZero();
        assertThat(recorder.swapInterval().seen()).isZero();
    }
}
