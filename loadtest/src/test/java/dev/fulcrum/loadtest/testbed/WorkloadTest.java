package dev.fulcrum.loadtest.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Arrivals and request mixes, with fixed seeds. */
class WorkloadTest {

    @Test
    void poissonInterArrivalsHaveMeanOneOverRateAndTheSpreadOfAnExponential() {
        PoissonArrivals arrivals = new PoissonArrivals(200, 42);
        int n = 50_000;
        long previous = 0;
        double sum = 0;
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            long at = arrivals.next();
            assertThat(at).isGreaterThanOrEqualTo(previous);
            double gap = (at - previous) / 1e6;
            sum += gap;
            sumSquares += gap * gap;
            previous = at;
        }
        double mean = sum / n;
        double std = Math.sqrt(sumSquares / n - mean * mean);
        assertThat(mean).isCloseTo(5.0, within(0.1));     // 1 / 200 per second = 5 ms, within 2%
        assertThat(std / mean).isCloseTo(1.0, within(0.03)); // exponential: coefficient of variation 1
    }

    @Test
    void forLoopRepliesAreProportionalToTheWorkAndFilesHaveThePapersSizes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            Workload.Request loop = Workload.FOR_LOOP.draw(random);
            assertThat(loop.bytes()).isEqualTo((int) (loop.workMicros() * Workload.FOR_LOOP_BYTES_PER_MILLI / 1000));
            Workload.Request file = Workload.FILE.draw(random);
            assertThat(file.bytes()).isIn(Set.of(100_000, 200_000, 500_000, 750_000, 1_000_000, 2_000_000, 5_000_000));
        }
        assertThat(Workload.FOR_LOOP.meanWorkSeconds()).isCloseTo(0.1, within(0.002));
    }

    @Test
    void theWikiMixIsHeavyTailed() {
        SplittableRandom random = new SplittableRandom(7);
        long[] work = new long[100_000];
        for (int i = 0; i < work.length; i++) {
            work[i] = Workload.WIKI.draw(random).workMicros();
        }
        java.util.Arrays.sort(work);
        long median = work[work.length / 2];
        long p999 = work[(int) (work.length * 0.999)];
        assertThat(p999).isGreaterThan(10 * median);
        assertThatThrownBy(() -> Workload.of("nope")).hasMessageContaining("expected: for-loop, file or wiki");
    }
}
