package dev.fulcrum.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PressureControllerTest {

    private static PressureController controller() {
        return new PressureController("pascal", TestDags.chain(0.5, 0.4, 2), TestDags.efficiency(), EfficiencyPredictor.ema(0.3),
                PressureController.Settings.DEFAULT);
    }

    @Test
    void allocationFillsTheTightestResourceAndNoneBeyondItsLimit() {
        // Eq. 19, as a property over random ratios and efficiencies (fixed seed).
        SplittableRandom random = new SplittableRandom(5);
        StorageDag dag = TestDags.chain(0.5, 0.4, 2);
        BandwidthAllocator allocator = new BandwidthAllocator(dag);
        for (int i = 0; i < 1000; i++) {
            double[] ratios = {random.nextDouble(), random.nextDouble(), random.nextDouble()};
            double[][] eff = new double[3][2];
            for (double[] row : eff) {
                row[0] = 0.001 + random.nextDouble();
                row[1] = 0.001 + random.nextDouble();
            }
            double[] rates = allocator.allocate(ratios, eff, BandwidthAllocator.noneFixed(3));
            double tightest = 0;
            for (int k = 0; k < 2; k++) {
                double use = 0;
                for (int t = 0; t < 3; t++) {
                    use += rates[t] * eff[t][k];
                }
                double limit = dag.resources().get(k).limit();
                assertThat(use).isLessThanOrEqualTo(limit * (1 + 1e-9));
                tightest = Math.max(tightest, use / limit);
            }
            assertThat(tightest).isCloseTo(1.0, Offset.offset(1e-9));
            assertThat(rates[0] / rates[1]).isCloseTo(ratios[0] / ratios[1], Offset.offset(1e-9 * (1 + ratios[0] / ratios[1])));
        }
    }

    @Test
    void aFillingCacheSpeedsFlushAtOnceWhileClientThroughputMovesPrudently() {
        PressureController controller = controller();
        double[] steady = null;
        for (int i = 0; i < 50; i++) {
            steady = controller.rates(new double[] {0.5, 0.4}, null);
        }
        double[] after = controller.rates(new double[] {0.8, 0.4}, null);
        double[] plan = controller.lastTargets();
        assertThat(plan[0]).as("the plan alone would cut clients hard").isLessThan(0.7 * steady[0]);
        assertThat(after[0]).as("clients change by at most 10%").isBetween(0.9 * steady[0], steady[0]);
        assertThat(after[1]).as("flush speeds up").isGreaterThan(1.2 * steady[1]);
        assertThat(after[2]).as("the other task gives way").isLessThan(steady[2]);
    }

    @Test
    void aRiseThePlanAllowsIsTakenAtOnceByDefaultAndByItsGainWhenTuned() {
        for (double riseGain : new double[] {1.0, 0.5}) {
            PressureController controller = new PressureController("pascal", TestDags.chain(0.5, 0.4, 2), TestDags.efficiency(),
                    EfficiencyPredictor.ema(0.3), new PressureController.Settings(0.3, 0.1, riseGain));
            double[] steady = null;
            for (int i = 0; i < 50; i++) {
                steady = controller.rates(new double[] {0.5, 0.4}, null);
            }
            double[] after = controller.rates(new double[] {0.2, 0.4}, null); // the cache drained: room for clients
            double plan = controller.lastTargets()[0];
            assertThat(plan).as("the plan gives clients more").isGreaterThan(1.2 * steady[0]);
            assertThat(after[0]).as("rise gain %s", riseGain)
                    .isCloseTo(steady[0] + riseGain * (plan - steady[0]), Offset.offset(1e-6 * plan));
        }
    }

    @Test
    void clientRateConvergesToThePlanWhenTheStateStays() {
        PressureController controller = controller();
        double[] rates = null;
        for (int i = 0; i < 200; i++) {
            rates = controller.rates(new double[] {0.7, 0.4}, null);
        }
        assertThat(rates[0]).isCloseTo(controller.lastTargets()[0], Offset.offset(1e-6 * rates[0]));
    }

    @Test
    void aFullCacheStopsClientsAtOnce() {
        PressureController controller = controller();
        for (int i = 0; i < 20; i++) {
            controller.rates(new double[] {0.5, 0.4}, null);
        }
        assertThat(controller.rates(new double[] {0.97, 0.4}, null)[0]).isZero();
    }

    @Test
    void measuredEfficiencyChangesTheAllocation() {
        PressureController controller = controller();
        double[] before = controller.rates(new double[] {0.5, 0.4}, null);
        double[][] costlier = TestDags.efficiency();
        costlier[1][1] = 2.0;
        costlier[2][1] = 2.0;
        double[] after = null;
        for (int i = 0; i < 30; i++) {
            after = controller.rates(new double[] {0.5, 0.4}, costlier);
        }
        assertThat(after[1]).isLessThan(0.7 * before[1]);
    }
}
