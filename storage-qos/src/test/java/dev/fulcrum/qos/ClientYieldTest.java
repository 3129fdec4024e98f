package dev.fulcrum.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** {@link ClientYield}: when and how far the client task gives way to the migrations (PASCAL §4.2). */
class ClientYieldTest {

    @Test
    void zeroWhileNoTierIsOverItsIdealFullAtAnUpperBoundAndNeverFallingAsATierFills() {
        SplittableRandom random = new SplittableRandom(21);
        for (int i = 0; i < 2000; i++) {
            double cacheIdeal = 0.05 + 0.85 * random.nextDouble();
            double diskIdeal = 0.05 + 0.85 * random.nextDouble();
            double gain = Math.exp(-1 + 3 * random.nextDouble());
            StorageDag dag = TestDags.chain(cacheIdeal, diskIdeal, Math.exp(-2 + 5 * random.nextDouble()));
            ClientYield yield = new ClientYield(dag, 0, gain);
            double cache = cacheIdeal * random.nextDouble();
            double disk = diskIdeal * random.nextDouble();
            assertThat(yield.of(new double[] {cache, disk})).as("both under their ideals").isZero();
            assertThat(yield.of(new double[] {0.95, disk})).as("cache at its upper bound").isCloseTo(Math.min(1, gain), Offset.offset(1e-9));
            assertThat(yield.of(new double[] {cache, 0.99})).as("disk past its upper bound").isCloseTo(Math.min(1, gain), Offset.offset(1e-9));
            double a = random.nextDouble();
            double b = random.nextDouble();
            double other = random.nextDouble();
            double lo = yield.of(new double[] {Math.min(a, b), other});
            double hi = yield.of(new double[] {Math.max(a, b), other});
            assertThat(hi).isGreaterThanOrEqualTo(lo).isBetween(0.0, 1.0);
        }
    }

    @Test
    void onlyTiersTheClientsDataFlowsIntoCount() {
        StorageDag dag = new StorageDag(
                List.of(new StorageNode("cache", 100, 0, 0.95, 0.5, 1), new StorageNode("disk", 1000, 0, 0.95, 0.4, 1),
                        new StorageNode("archive", 1000, 0, 0.95, 0.3, 1)),
                List.of(new Port("clients"), new Port("out"), new Port("import")),
                List.of(BandwidthTask.client("client", new Edge("clients", "cache", 1)),
                        BandwidthTask.of("flush", new Edge("cache", "disk", 1)),
                        BandwidthTask.of("evict", new Edge("disk", "out", 1)),
                        BandwidthTask.of("import", new Edge("import", "archive", 1))),
                List.of(new ResourceKind("cpu", 100)));
        ClientYield yield = new ClientYield(dag, 0, 1);
        assertThat(yield.of(new double[] {0.5, 0.4, 0.94})).as("an archive the clients never reach").isZero();
        assertThat(yield.of(new double[] {0.5, 0.8, 0.3})).as("the disk, two hops down").isPositive();
    }
}
