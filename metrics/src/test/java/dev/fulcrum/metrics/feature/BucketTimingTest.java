package dev.fulcrum.metrics.feature;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BucketTimingTest {

    /** The bucket of a value in nanoseconds, as a Prometheus histogram with these bounds counts it (le: inclusive). */
    private static int prometheusBucket(long nanos) {
        long[] bounds = BucketTiming.boundsMicros();
        for (int b = 0; b < bounds.length; b++) {
            if (nanos <= bounds[b] * 1000) {
                return b;
            }
        }
        return bounds.length;
    }

    @Test
    void replayKeepsEveryBucketCountTheSumAndTheMax() {
        SplittableRandom random = new SplittableRandom(5);
        BucketTiming timing = new BucketTiming();
        long[] expectedCounts = new long[BucketTiming.boundsMicros().length + 1];
        long sum = 0;
        long max = 0;
        // Values on every bucket edge and just either side of it, and log-uniform ones from 0 to 100 s.
        List<Long> values = new ArrayList<>();
        for (long bound : BucketTiming.boundsMicros()) {
            values.add(bound - 1);
            values.add(bound);
            values.add(bound + 1);
        }
        for (int i = 0; i < 5000; i++) {
            values.add((long) Math.pow(10, random.nextDouble(0, 8)));
        }
        values.add(0L);
        for (long micros : values) {
            timing.record(micros);
            expectedCounts[prometheusBucket(micros * 1000)]++;
            sum += micros;
            max = Math.max(max, micros);
        }

        long[] replayedCounts = new long[expectedCounts.length];
        long[] replayedSum = {0};
        long[] replayedMax = {0};
        timing.replay(nanos -> {
            replayedCounts[prometheusBucket(nanos)]++;
            replayedSum[0] += nanos;
            replayedMax[0] = Math.max(replayedMax[0], nanos);
        });

        assertThat(replayedCounts).containsExactly(expectedCounts);
        assertThat(replayedSum[0]).isEqualTo(sum * 1000);
        assertThat(replayedMax[0]).isEqualTo(max * 1000);
        assertThat(timing.count()).isEqualTo(values.size());
        assertThat(timing.sum()).isEqualTo(sum);
        assertThat(timing.max()).isEqualTo(max);
    }

    @Test
    void aValueOnABoundCountsInThatBucketAndResetEmptiesIt() {
        BucketTiming timing = new BucketTiming();
        timing.record(100);
        timing.record(101);
        List<Long> replayed = new ArrayList<>();
        timing.replay(replayed::add);
        assertThat(replayed).containsExactlyInAnyOrder(100_000L, 101_000L);
        assertThat(prometheusBucket(100_000)).isZero();
        assertThat(prometheusBucket(101_000)).isEqualTo(1);

        timing.reset();
        replayed.clear();
        timing.replay(replayed::add);
        assertThat(replayed).isEmpty();
        assertThat(timing.count()).isZero();
        assertThat(timing.max()).isZero();
    }
}
