package dev.fulcrum.proxy.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReadBudgetTest {

    private static final long MS = 1_000_000L;

    /** A reader that reads whenever the budget lets it: what passes is the integral of the rates set. */
    @Test
    void bytesAdmittedFollowTheIntegralOfRatesThatChangeEveryTick() {
        long[] now = {0};
        ReadBudget budget = new ReadBudget(() -> now[0], 4_000_000, 250 * MS);
        SplittableRandom random = new SplittableRandom(7);
        long admitted = 0;
        long nextTick = 250 * MS;
        long resumeAt = 0;
        for (long t = 0; t < 60_000 * MS; t += MS) {
            now[0] = t;
            if (t >= nextTick) {
                budget.setRate(1_000_000 + random.nextLong(8_000_000)); // the controller moves every tick
                nextTick += 250 * MS;
            }
            if (t >= resumeAt) {
                long read = 1 + random.nextInt(64 * 1024);
                admitted += read;
                long wait = budget.admit(read);
                if (wait == 0 && budget.remainingWait() > 0) {
                    wait = budget.remainingWait();
                }
                resumeAt = t + wait;
            }
        }
        double allowed = budget.allowedBytes();
        assertThat(admitted / allowed).isBetween(0.995, 1.005);
    }

    @Test
    void aRateCutKeepsTheDebtInBytes() {
        long[] now = {0};
        ReadBudget budget = new ReadBudget(() -> now[0], 1_000_000, 0);
        assertThat(budget.admit(500_000)).isEqualTo(500 * MS); // half a second's worth at 1 MB/s
        budget.setRate(250_000);
        assertThat(budget.remainingWait()).isEqualTo(2_000 * MS); // the same bytes take 2 s at 250 kB/s
        now[0] = 1_000 * MS;
        budget.setRate(500_000);
        assertThat(budget.remainingWait()).isEqualTo(500 * MS); // 250 kB left, at 500 kB/s
    }

    @Test
    void anIdleClassEarnsAtMostTheBurstOfCredit() {
        long[] now = {0};
        ReadBudget budget = new ReadBudget(() -> now[0], 1_000_000, 100 * MS);
        now[0] = 10_000 * MS; // ten idle seconds
        assertThat(budget.admit(100_000)).isZero(); // 100 ms of credit pays for 100 kB
        assertThat(budget.admit(100_000)).isEqualTo(100 * MS); // and no more
    }

    @Test
    void smallDebtsDoNotPause() {
        ReadBudget budget = new ReadBudget(() -> 0L, 1_000_000, 0);
        assertThat(budget.admit(9_000)).isZero(); // 9 ms: under Netty's 10 ms floor
        assertThat(budget.admit(2_000)).isEqualTo(11 * MS);
    }

    @Test
    void rejectsARateOfZero() {
        ReadBudget budget = new ReadBudget(() -> 0L, 1, 0);
        assertThatThrownBy(() -> budget.setRate(0)).hasMessage("bytesPerSecond: 0 (expected: > 0)");
    }
}
