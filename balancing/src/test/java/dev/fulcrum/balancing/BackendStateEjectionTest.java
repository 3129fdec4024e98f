package dev.fulcrum.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendStateEjectionTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong clock = new AtomicLong(100 * SECOND);

    private OutlierDetection detection(BackendSet set, int failures, int percent) {
        OutlierDetection d = new OutlierDetection(failures, 30 * SECOND, 100 * SECOND, percent, set.size(), clock::get);
        for (BackendState s : set.states()) {
            s.setOutlierDetection(d);
        }
        return d;
    }

    @Test
    void consecutiveFailuresEjectAndASuccessResetsTheCount() {
        BackendSet set = TestBackends.backends(1, 1, 1, 1);
        OutlierDetection d = detection(set, 3, 50);
        BackendState a = set.get(0);
        assertThat(a.recordFailure()).isFalse();
        assertThat(a.recordFailure()).isFalse();
        a.recordSuccess();
        assertThat(a.recordFailure()).isFalse();
        assertThat(a.recordFailure()).isFalse();
        assertThat(a.acceptsNewFlows()).isTrue();
        assertThat(a.recordFailure()).isTrue();
        assertThat(a.isEjected()).isTrue();
        assertThat(a.acceptsNewFlows()).isFalse();
        assertThat(a.ejections()).isEqualTo(1);
        assertThat(d.ejectedNow()).isEqualTo(1);
    }

    @Test
    void ejectionEndsWhenItsTimeIsUpAndGrowsWithRepeats() {
        BackendSet set = TestBackends.backends(1, 1);
        OutlierDetection d = detection(set, 1, 100);
        BackendState a = set.get(0);
        a.tryAcquire(); // an open flow is not cut: nothing here touches it
        assertThat(a.recordFailure()).isTrue();
        clock.addAndGet(30 * SECOND - 1);
        assertThat(a.isEjected()).isTrue();
        clock.addAndGet(1);
        assertThat(a.isEjected()).isFalse();
        assertThat(d.ejectedNow()).isZero();
        assertThat(a.activeFlows()).isEqualTo(1);

        assertThat(a.recordFailure()).isTrue(); // second: 60 s
        clock.addAndGet(59 * SECOND);
        a.refreshEjection();
        assertThat(a.isEjected()).isTrue();
        clock.addAndGet(SECOND);
        a.refreshEjection();
        assertThat(a.isEjected()).isFalse();

        assertThat(a.recordFailure()).isTrue(); // third: 90 s
        clock.addAndGet(90 * SECOND);
        assertThat(a.isEjected()).isFalse();
        assertThat(a.recordFailure()).isTrue(); // fourth: 120 s capped at 100 s
        clock.addAndGet(100 * SECOND);
        assertThat(a.isEjected()).isFalse();

        // In good standing for longer than the longest ejection: back to the base time.
        clock.addAndGet(101 * SECOND);
        assertThat(a.recordFailure()).isTrue();
        clock.addAndGet(30 * SECOND);
        assertThat(a.isEjected()).isFalse();
        assertThat(a.ejections()).isEqualTo(5);
    }

    @Test
    void capHoldsUnderConcurrentFailures() throws Exception {
        for (int round = 0; round < 50; round++) {
            BackendSet set = TestBackends.backends(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            OutlierDetection d = detection(set, 2, 30);
            assertThat(d.maxEjected()).isEqualTo(3);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 200; i++) {
                        set.get((i + offset) % set.size()).recordFailure();
                    }
                });
                thread.start();
                threads.add(thread);
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            int ejected = 0;
            for (BackendState s : set.states()) {
                ejected += s.isEjected() ? 1 : 0;
            }
            assertThat(ejected).isEqualTo(3);
            assertThat(d.ejectedNow()).isEqualTo(3);
        }
    }

    @Test
    void capAllowsOneBackendInASmallPoolAndNoneAtZeroPercent() {
        assertThat(new OutlierDetection(5, 1, 1, 10, 3, () -> 0).maxEjected()).isEqualTo(1);
        assertThat(new OutlierDetection(5, 1, 1, 0, 3, () -> 0).maxEjected()).isZero();
    }

    @Test
    void unejectedBackendStartsItsSlowStartWhenTheEjectionEnded() {
        BackendSet set = TestBackends.backends(1, 1);
        detection(set, 1, 50);
        BackendState a = set.get(0);
        a.setSlowStart(new SlowStart(10 * SECOND, 1.0, 0.1, clock::get));
        a.recordFailure();
        clock.addAndGet(35 * SECOND); // ended 5 s ago, noticed now
        assertThat(a.acceptsNewFlows()).isTrue();
        assertThat(a.rampFraction()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void ejectionCarriesOverToNewSettingsAndEndsWithoutThem() {
        BackendSet set = TestBackends.backends(1, 1);
        OutlierDetection first = detection(set, 1, 50);
        BackendState a = set.get(0);
        a.recordFailure();
        OutlierDetection second = new OutlierDetection(1, SECOND, SECOND, 50, 2, clock::get);
        a.setOutlierDetection(second);
        assertThat(first.ejectedNow()).isZero();
        assertThat(second.ejectedNow()).isEqualTo(1);
        assertThat(a.isEjected()).isTrue();
        a.setOutlierDetection(null);
        assertThat(a.isEjected()).isFalse();
        assertThat(second.ejectedNow()).isZero();
    }
}
