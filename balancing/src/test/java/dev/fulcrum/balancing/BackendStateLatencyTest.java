package dev.fulcrum.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The peak EWMA as a backend keeps it: one packed word, updated by CAS, read with a caller's clock. */
class BackendStateLatencyTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    /** One stamp tick, the time resolution of the packed word. */
    private static final double TICK = 1 << PackedPeakEwma.TICK_SHIFT;
    /** The relative precision of the stored estimate (a float's mantissa). */
    private static final double FLOAT = 1e-7;

    private static BackendState backend() {
        return TestBackends.backends(1).get(0);
    }

    @Test
    void noSampleReadsZero() {
        assertThat(backend().latencyEstimateNanos(123 * S)).isZero();
    }

    @Test
    void theFirstSampleIsTheEstimate() {
        BackendState b = backend();
        b.recordLatency(250_000, 100 * S);
        assertThat(b.latencyEstimateNanos(100 * S)).isCloseTo(250_000, offset(250_000 * FLOAT));
    }

    @Test
    void betweenSamplesTheEstimateDecaysTowardZeroWithTheDecayTime() {
        BackendState b = backend();
        b.recordLatency(5 * MS, 100 * S);
        assertThat(b.latencyEstimateNanos(110 * S)).as("one decay time (10 s) later")
                .isCloseTo(5 * MS / Math.E, offset(5 * MS * 2 * TICK / 10e9 + 5 * MS * FLOAT));
        b.setLatencyDecayNanos(S);
        assertThat(b.latencyEstimateNanos(110 * S)).as("ten decay times of 1 s").isCloseTo(5 * MS * Math.exp(-10), offset(5.0));
    }

    @Test
    void aPeakReplacesTheEstimateAndALowerSampleIsBlendedByTheTimeElapsed() {
        BackendState b = backend();
        b.recordLatency(MS, 100 * S);
        b.recordLatency(80 * MS, 100 * S + 500 * MS);
        assertThat(b.latencyEstimateNanos(100 * S + 500 * MS)).isCloseTo(80 * MS, offset(80 * MS * FLOAT));
        b.recordLatency(MS, 110 * S + 500 * MS);
        double expected = MS + (80 * MS - MS) / Math.E;
        assertThat(b.latencyEstimateNanos(110 * S + 500 * MS)).isCloseTo(expected, offset(expected * 1e-3));
    }

    @Test
    void aWriterWithAnOlderClockKeepsTheNewerStamp() {
        BackendState b = backend();
        b.recordLatency(10 * MS, 100 * S);
        b.recordLatency(MS, 100 * S - 50 * MS); // another loop read its clock first, got its CAS in second
        assertThat(b.latencyEstimateNanos(100 * S)).as("no time elapsed for it, so no blend, and no decay")
                .isCloseTo(10 * MS, offset(10 * MS * FLOAT));
        assertThat(b.latencyEstimateNanos(100 * S - 50 * MS)).as("a reader behind the stamp sees no decay either")
                .isCloseTo(10 * MS, offset(10 * MS * FLOAT));
    }

    @Test
    void elapsedTimeIsRightAcrossNanoTimeOverflowAndOverLongGaps() {
        BackendState b = backend();
        long before = Long.MAX_VALUE - 3 * S;
        b.recordLatency(10 * MS, before);
        long after = before + 13 * S; // overflows to a negative nanoTime, as System.nanoTime may
        assertThat(after).isNegative();
        assertThat(b.latencyEstimateNanos(after)).isCloseTo(10 * MS * Math.exp(-1.3), offset(10 * MS * 1e-3));

        BackendState idle = backend();
        idle.recordLatency(10 * MS, 0);
        long days300 = TimeUnit.DAYS.toNanos(300);
        assertThat(idle.latencyEstimateNanos(days300)).as("300 days idle: decayed away, not wrapped").isZero();
    }

    @Test
    void concurrentSamplesLoseNoPeak() throws Exception {
        BackendState b = backend();
        int threads = 4;
        int perThread = 50_000;
        long now = 7 * S;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> maxima = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                maxima.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    long max = 0;
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long sample = 1 + random.nextLong(1_000_000_000L);
                        max = Math.max(max, sample);
                        b.recordLatency(sample, now); // same instant: only peaks change the estimate
                    }
                    return max;
                }));
            }
            start.countDown();
            long max = 0;
            for (Future<Long> m : maxima) {
                max = Math.max(max, m.get(30, TimeUnit.SECONDS));
            }
            assertThat(b.latencyEstimateNanos(now)).isCloseTo(max, offset(max * FLOAT));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void packedEstimatesRoundTripToFloatPrecision() {
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 10_000; i++) {
            double nanos = Math.exp(random.nextDouble(0, Math.log(0x1p62)));
            long bits = PackedPeakEwma.encode(nanos);
            assertThat(bits).isBetween(1L, PackedPeakEwma.ESTIMATE_MASK);
            assertThat(PackedPeakEwma.decode(bits)).isCloseTo(nanos, offset(nanos * FLOAT));
        }
        assertThat(PackedPeakEwma.decode(PackedPeakEwma.encode(0))).as("clamped to 1 ns").isEqualTo(1.0);
    }

    @Test
    void decayTimeMustBePositive() {
        assertThatThrownBy(() -> backend().setLatencyDecayNanos(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("decayNanos: 0 (expected: > 0)");
    }
}
