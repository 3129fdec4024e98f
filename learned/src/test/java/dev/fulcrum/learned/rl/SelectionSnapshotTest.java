package dev.fulcrum.learned.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectionSnapshotTest {

    @Test
    void drawFrequenciesMatchTheDistributionByChiSquare() {
        boolean[] present = {true, true, false, true, true, true, false, true};
        double[] q = {0.3, 1.2, 5.0, -0.4, 0.9, 0.0, 2.0, 0.6};
        SelectionSnapshot snapshot = SelectionSnapshot.fromQ(q, present, 0.5, 1);
        SplittableRandom random = new SplittableRandom(20261122);
        int draws = 400_000;
        long[] counts = new long[q.length];
        for (int i = 0; i < draws; i++) {
            counts[snapshot.draw(random.nextLong())]++;
        }
        double chiSquare = 0;
        int cells = 0;
        for (int k = 0; k < q.length; k++) {
            if (!present[k]) {
                assertThat(counts[k]).as("masked slot %d", k).isZero();
                continue;
            }
            double expected = snapshot.probability(k) * draws;
            chiSquare += (counts[k] - expected) * (counts[k] - expected) / expected;
            cells++;
        }
        // 5 degrees of freedom: the 99.9% quantile of chi-square is 20.52.
        assertThat(cells).isEqualTo(6);
        assertThat(chiSquare).isLessThan(20.52);
    }

    @Test
    void theTableDrawsEachSlotWithItsProbabilityAndMaskedSlotsNever() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 500; trial++) {
            int slots = 1 + random.nextInt(40);
            double[] q = new double[slots];
            boolean[] present = new boolean[slots];
            for (int k = 0; k < slots; k++) {
                q[k] = random.nextDouble() * 10;
                present[k] = random.nextBoolean();
            }
            present[random.nextInt(slots)] = true;
            SelectionSnapshot snapshot = SelectionSnapshot.fromQ(q, present, 1 + random.nextDouble(), trial);
            for (int k = 0; k < slots; k++) {
                assertThat(snapshot.tableProbability(k)).isCloseTo(snapshot.probability(k), within(1e-9));
                if (!present[k]) {
                    assertThat(snapshot.tableProbability(k)).isZero();
                }
            }
        }
    }

    @Test
    void extremeRandomBitsStayInRangeAndAvoidMaskedSlots() {
        SelectionSnapshot snapshot = SelectionSnapshot.fromQ(new double[] {0, 0, 0}, new boolean[] {false, true, false}, 1, 0);
        for (long bits : new long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFF_FFFFL, 0xFFFF_FFFF_0000_0000L}) {
            assertThat(snapshot.draw(bits)).isEqualTo(1);
        }
    }

    @Test
    void uniformSnapshotSpreadsOverPresentSlots() {
        SelectionSnapshot snapshot = SelectionSnapshot.uniform(new boolean[] {true, false, true, true}, 0);
        assertThat(snapshot.probability(0)).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(snapshot.probability(1)).isZero();
    }

    @Test
    void publisherRejectsBrokenQValuesAndKeepsServingThePreviousDistribution() {
        boolean[] present = {true, true};
        SelectionPublisher publisher = new SelectionPublisher(1.0, SelectionSnapshot.uniform(present, 0));
        assertThat(publisher.update(new double[] {0, 3}, present)).isTrue();
        SelectionSnapshot good = publisher.current();
        assertThat(good.version()).isEqualTo(1);
        assertThat(good.probability(1)).isGreaterThan(0.9);

        assertThat(publisher.update(new double[] {Double.NaN, 3}, present)).isFalse();
        assertThat(publisher.update(new double[] {0, Double.NEGATIVE_INFINITY}, present)).isFalse();
        assertThat(publisher.update(new double[] {0, 1}, new boolean[] {false, false})).isFalse();
        assertThat(publisher.current()).isSameAs(good);
        assertThat(publisher.rejectedUpdates()).isEqualTo(3);
        assertThat(publisher.lastRejection()).contains("no slot present");

        assertThat(publisher.update(new double[] {3, 0}, present)).isTrue();
        assertThat(publisher.current().version()).isEqualTo(2);
        assertThat(publisher.current().probability(0)).isGreaterThan(0.9);
    }
}
