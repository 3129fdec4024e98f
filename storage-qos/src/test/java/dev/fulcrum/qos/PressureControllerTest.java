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

    private static PressureController cooperative(double conductance) {
        return new PressureController("pascal", TestDags.chain(0.5, 0.4, 2), TestDags.efficiency(), EfficiencyPredictor.ema(0.3),
                new PressureController.Settings(0.3, 0.1, 1.0, 1.0, conductance));
    }

    @Test
    void whileNoTierIsUnderPressureTheClientTakesWhatTheResourcesAllowAndGivesBackWhatItDoesNotUse() {
        PressureController controller = cooperative(100);
        double[] w = {0.4, 0.3}; // both under their ideals
        double[] rates = controller.rates(w, null);
        assertThat(controller.lastYield()).isZero();
        assertThat(rates[0]).as("all the CPU: 100 / 0.05").isCloseTo(2000, Offset.offset(1e-6));
        assertThat(rates[1] + rates[2]).as("nothing left for the migrations").isCloseTo(0, Offset.offset(1e-6));
        // The clients use 400 of their 2000: the migrations get the rest, the clients keep their rate.
        double[] next = controller.rates(w, null, new double[] {400, 0, 0});
        assertThat(next[0]).isCloseTo(2000, Offset.offset(1e-6));
        assertThat(next[1]).isPositive();
        assertThat(next[2]).isPositive();
        double cpu = 1.25 * 400 * 0.05 + next[1] * 0.02 + next[2] * 0.02;
        assertThat(cpu).as("the migrations fit beside what the clients use").isLessThanOrEqualTo(100 * (1 + 1e-9));
    }

    @Test
    void theClientYieldsToFlushAsTheCacheFills() {
        double previousClient = Double.POSITIVE_INFINITY;
        double previousFlush = 0;
        for (double cache : new double[] {0.5, 0.6, 0.7, 0.8, 0.9, 0.94}) {
            PressureController controller = cooperative(1000);
            double[] rates = null;
            for (int i = 0; i < 200; i++) {
                rates = controller.rates(new double[] {cache, 0.4}, null);
            }
            assertThat(rates[0]).as("client at cache %s", cache).isLessThanOrEqualTo(previousClient * (1 + 1e-9));
            assertThat(rates[1]).as("flush at cache %s", cache).isGreaterThanOrEqualTo(previousFlush * (1 - 1e-9));
            previousClient = rates[0];
            previousFlush = rates[1];
        }
        assertThat(previousFlush).isPositive();
        PressureController controller = cooperative(1000);
        controller.rates(new double[] {0.5, 0.4}, null);
        assertThat(controller.rates(new double[] {0.95, 0.4}, null)[0]).as("a full cache stops clients at once").isZero();
    }

    @Test
    void migrationsMoveAtMostConductanceTimesTheirPressureDifferenceAndNoResourcePassesItsLimit() {
        SplittableRandom random = new SplittableRandom(7);
        StorageDag dag = TestDags.chain(0.5, 0.4, 2);
        MigrationPlanner planner = new MigrationPlanner(dag);
        for (int i = 0; i < 500; i++) {
            double conductance = Math.exp(2 + 6 * random.nextDouble());
            PressureController controller = cooperative(conductance);
            double[] w = {0.94 * random.nextDouble(), 0.94 * random.nextDouble()};
            double[] used = {2000 * random.nextDouble(), 0, 0};
            controller.rates(w, null);
            double[] rates = controller.rates(w, null, used);
            double[] d = planner.pressureDifferences(planner.pressures(w));
            for (int t = 1; t < 3; t++) {
                assertThat(rates[t]).isLessThanOrEqualTo(conductance * Math.max(0, d[t]) * (1 + 1e-9) + 1e-9);
            }
            double reserved = Math.min(rates[0], 1.25 * used[0]);
            double[][] eff = TestDags.efficiency();
            for (int k = 0; k < 2; k++) {
                double use = Math.max(reserved, 0.05 * rates[0]) * eff[0][k] + rates[1] * eff[1][k] + rates[2] * eff[2][k];
                assertThat(use).isLessThanOrEqualTo(dag.resources().get(k).limit() * (1 + 1e-9));
            }
        }
    }
}
