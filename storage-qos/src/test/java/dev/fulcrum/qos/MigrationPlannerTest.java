package dev.fulcrum.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class MigrationPlannerTest {

    @Test
    void everyTaskGetsAnEqualShareAtTheIdealWatermarks() {
        MigrationPlanner planner = new MigrationPlanner(TestDags.chain(0.5, 0.4, 2));
        double[] ratios = planner.ratios(new double[] {0.5, 0.4});
        assertThat(ratios).containsExactly(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, Offset.offset(1e-12));
    }

    @Test
    void sharesAreProportionalToPressureDifferences() {
        MigrationPlanner planner = new MigrationPlanner(TestDags.chain(0.5, 0.4, 2));
        double[] w = {0.7, 0.3};
        double[] d = planner.pressureDifferences(planner.pressures(w));
        double[] ratios = planner.ratios(w);
        double total = 0;
        for (double v : d) {
            total += Math.max(0, v);
        }
        for (int t = 0; t < d.length; t++) {
            assertThat(ratios[t]).isCloseTo(Math.max(0, d[t]) / total, Offset.offset(1e-12));
        }
    }

    @Test
    void aFillingCacheShiftsShareFromClientsToFlush() {
        MigrationPlanner planner = new MigrationPlanner(TestDags.chain(0.5, 0.4, 2));
        double[] low = planner.ratios(new double[] {0.5, 0.4});
        double[] high = planner.ratios(new double[] {0.8, 0.4});
        assertThat(high[0]).isLessThan(low[0]);
        assertThat(high[1]).isGreaterThan(low[1]);
    }

    @Test
    void noDataGoesIntoANodeAtItsUpperBound() {
        MigrationPlanner planner = new MigrationPlanner(TestDags.chain(0.5, 0.4, 2));
        double[] ratios = planner.ratios(new double[] {0.96, 0.4});
        assertThat(ratios[0]).isZero();
        assertThat(ratios[1]).isPositive();
    }

    @Test
    void theDagRefusesCyclesAndUnknownEnds() {
        assertThatThrownBy(() -> new StorageDag(
                List.of(new StorageNode("a", 1, 0, 1, 0.5, 1), new StorageNode("b", 1, 0, 1, 0.5, 1)), List.of(),
                List.of(BandwidthTask.of("ab", new Edge("a", "b", 1)), BandwidthTask.of("ba", new Edge("b", "a", 1))),
                List.of(new ResourceKind("cpu", 1))))
                .hasMessageContaining("on a cycle of edges (expected: a DAG)");
        assertThatThrownBy(() -> new StorageDag(List.of(new StorageNode("a", 1, 0, 1, 0.5, 1)), List.of(),
                List.of(BandwidthTask.of("t", new Edge("a", "nowhere", 1))), List.of(new ResourceKind("cpu", 1))))
                .hasMessageContaining("edge end nowhere names no node or port (expected one of: a)");
    }
}
