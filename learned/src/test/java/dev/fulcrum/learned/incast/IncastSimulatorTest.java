package dev.fulcrum.learned.incast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IncastSimulatorTest {

    @Test
    void treeChildrenHaveOneParentAndFatTreeChildrenTwo() {
        for (Topology.Kind kind : Topology.Kind.values()) {
            Topology topology = new Topology(kind, 0.01, 1);
            int[] parents = new int[topology.components];
            for (int c = 0; c < topology.components; c++) {
                for (int child : topology.children[c]) {
                    assertThat(topology.tier[child]).isEqualTo(topology.tier[c] + 1);
                    parents[child]++;
                }
            }
            int expected = kind == Topology.Kind.TREE ? 1 : Topology.POD_PARENTS;
            for (int c = topology.tierStart[1]; c < topology.components; c++) {
                assertThat(parents[c]).as("parents of %d in the %s", c, kind.label()).isEqualTo(expected);
            }
            assertThat(topology.tierStart).containsExactly(0, 10, 60, 310);
            for (int c = 0; c < topology.components; c++) {
                double nominal = topology.nominalCapacity[topology.tier[c]];
                assertThat((double) topology.capacity[c]).isBetween(Math.floor(nominal * 0.9), Math.ceil(nominal * 1.1));
            }
        }
    }

    @Test
    void incastProbabilityRisesWithTheArrivalRateForVlbAndEcmp() {
        for (Topology.Kind kind : Topology.Kind.values()) {
            Topology topology = new Topology(kind, 0.01, 3);
            for (boolean ecmp : new boolean[] {false, true}) {
                double previous = -1;
                for (double a : List.of(0.3, 0.6, 0.9)) {
                    Router router = ecmp ? new EcmpRouter(topology) : new VlbRouter(topology);
                    RunResult result = new IncastSimulator(topology)
                            .run(router, new IncastSimulator.Scenario(a, 0.5, 50, 200, 17), ecmp ? "ECMP" : "VLB");
                    assertThat(result.flows()).isGreaterThan(1000);
                    assertThat(result.incastProbability()).as("%s %s at %s", kind.label(), result.policy(), a)
                            .isGreaterThan(previous);
                    previous = result.incastProbability();
                }
                assertThat(previous).isGreaterThan(0.1);
            }
        }
    }

    @Test
    void openFlowsAreConservedAcrossTiers() {
        Topology topology = new Topology(Topology.Kind.FAT_TREE, 0.01, 2);
        IncastSimulator sim = new IncastSimulator(topology);
        sim.runTicks(new VlbRouter(topology), new IncastSimulator.Scenario(0.7, 0.5, 0, 100, 9), 100, 100, null);
        int[] tierTotals = new int[3];
        for (int c = 0; c < topology.components; c++) {
            tierTotals[topology.tier[c]] += sim.active[c];
            if (topology.chooses(c)) {
                assertThat(java.util.Arrays.stream(sim.own[c]).sum()).isEqualTo(sim.active[c]);
            }
        }
        assertThat(tierTotals[0]).isPositive().isEqualTo(tierTotals[1]).isEqualTo(tierTotals[2]);
    }

    @Test
    void aSeedGivesIdenticalResultsAndAnotherSeedDifferentOnes() {
        IncastExperiment.Settings settings = IncastExperiment.Settings.quick(8).withTicks(30, 2, 30)
                .withTopologies(List.of("fat-tree"));
        IncastExperiment.Report first = IncastExperiment.run(settings, message -> { });
        IncastExperiment.Report second = IncastExperiment.run(settings, message -> { });
        assertThat(second).isEqualTo(first);
        IncastExperiment.Report other = IncastExperiment.run(
                IncastExperiment.Settings.quick(9).withTicks(30, 2, 30).withTopologies(List.of("fat-tree")), message -> { });
        assertThat(other.arrivalSweep()).isNotEqualTo(first.arrivalSweep());
    }

    @Test
    void everyPolicySeesTheSameFlows() {
        IncastExperiment.Report report = IncastExperiment.run(
                IncastExperiment.Settings.quick(4).withTicks(30, 1, 20).withTopologies(List.of("tree")), message -> { });
        List<RunResult> point = report.arrivalSweep().subList(0, IncastExperiment.POLICIES.size());
        for (RunResult result : point) {
            assertThat(result.flows()).isEqualTo(point.get(0).flows());
        }
    }
}
