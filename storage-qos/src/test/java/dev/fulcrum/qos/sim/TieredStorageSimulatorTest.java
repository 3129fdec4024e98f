package dev.fulcrum.qos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.qos.StaticPolicy;
import org.junit.jupiter.api.Test;

class TieredStorageSimulatorTest {

    @Test
    void isDeterministicForASeedAndDiffersAcrossSeeds() {
        SimulationResult a = TieredStorageSimulator.run(StoragePolicies.PASCAL.create(StoragePolicies.PASCAL.defaults()),
                new BurstyWorkload(1500, 4), 4, 10);
        SimulationResult b = TieredStorageSimulator.run(StoragePolicies.PASCAL.create(StoragePolicies.PASCAL.defaults()),
                new BurstyWorkload(1500, 4), 4, 10);
        SimulationResult c = TieredStorageSimulator.run(StoragePolicies.PASCAL.create(StoragePolicies.PASCAL.defaults()),
                new BurstyWorkload(1500, 5), 5, 10);
        assertThat(a.summary()).isEqualTo(b.summary());
        assertThat(a.meanThroughput()).isNotEqualTo(c.meanThroughput());
    }

    @Test
    void noTierOverflowsUnderAnyMethod() {
        for (StoragePolicies method : StoragePolicies.values()) {
            SimulationResult r = TieredStorageSimulator.run(method.create(method.defaults()), new SyntheticWorkload(3000, 2), 2, 1);
            for (TieredStorageSimulator.Sample s : r.samples()) {
                for (double w : s.watermarks()) {
                    assertThat(w).as("%s at %s s", method, s.second()).isBetween(0.0, 1.0);
                }
            }
            assertThat(r.meanThroughput()).as(method.label()).isPositive();
        }
    }

    @Test
    void writesWaitWhenTheCacheIsFullAndNothingFlushes() {
        Workload writes = new Workload() {
            @Override
            public Phase at(int second) {
                return new Phase(500, 0.0, 64, BurstyWorkload.OPEN);
            }

            @Override
            public int seconds() {
                return 400;
            }

            @Override
            public String name() {
                return "writes";
            }
        };
        SimulationResult flushing = TieredStorageSimulator.run(new StaticPolicy("flushing", new double[] {600, 800, 400, 800}),
                writes, 1, 10);
        SimulationResult stuck = TieredStorageSimulator.run(new StaticPolicy("no flush", new double[] {600, 0, 400, 800}),
                writes, 1, 10);
        // 16 GiB of free cache at 500 MB/s lasts ~33 s; after that, without flush, writes stop and queue up.
        assertThat(stuck.samples().get(stuck.samples().size() - 1).watermarks()[ThreeTierSystem.CACHE]).isGreaterThan(0.99);
        assertThat(stuck.meanThroughput()).isLessThan(0.2 * flushing.meanThroughput());
        assertThat(flushing.meanThroughput()).isGreaterThan(495);
        assertThat(stuck.p99LatencyMs()).isGreaterThan(10 * flushing.p99LatencyMs());
    }

    @Test
    void theClientBandwidthBoundsWritesIntoTheCacheNotReads() {
        Workload halfReads = new Workload() {
            @Override
            public Phase at(int second) {
                return new Phase(2000, 0.5, 64, BurstyWorkload.OPEN);
            }

            @Override
            public int seconds() {
                return 400;
            }

            @Override
            public String name() {
                return "half reads";
            }
        };
        SimulationResult r = TieredStorageSimulator.run(new StaticPolicy("writes at 500", new double[] {500, 800, 400, 800}),
                halfReads, 1, 10);
        // PASCAL §2.1: the throughput task is data coming into the system; reads migrate nothing.
        assertThat(r.meanThroughput()).as("500 MB/s of writes and as much of reads").isBetween(950.0, 1000.0);
        TieredStorageSimulator.Sample last = r.samples().get(r.samples().size() - 1);
        assertThat(last.throughputs()[ThreeTierSystem.CLIENT]).as("the client task migrated its writes").isBetween(495.0, 500.5);
    }

    @Test
    void jitterIsZeroForASteadyStreamAndGrowsWithSwings() {
        double[] steady = new double[100];
        double[] swinging = new double[100];
        int[] segments = new int[100];
        for (int i = 0; i < 100; i++) {
            steady[i] = 500;
            swinging[i] = i % 2 == 0 ? 400 : 600;
        }
        LatencyHistogram none = new LatencyHistogram();
        assertThat(SimulationResult.of("p", "w", steady, segments, none, java.util.List.of()).jitter()).isZero();
        assertThat(SimulationResult.of("p", "w", swinging, segments, none, java.util.List.of()).jitter())
                .isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
    }
}
