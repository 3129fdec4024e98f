package dev.fulcrum.qos.sim;

import dev.fulcrum.qos.BandwidthTask;
import dev.fulcrum.qos.Edge;
import dev.fulcrum.qos.Port;
import dev.fulcrum.qos.ResourceKind;
import dev.fulcrum.qos.StorageDag;
import dev.fulcrum.qos.StorageNode;
import java.util.List;

/**
 * The simulated system of PASCAL Fig. 1: a cache tier, an SSD tier holding valid and garbage data,
 * an HDD tier; four tasks (client throughput, flush, tier-down, garbage collection); three resources
 * (CPU, SSD bandwidth, HDD bandwidth). Sizes are scaled down from the paper's testbed (512 GB of
 * cache, 7.7 TB of SSD) so that 25,000 s exercise every fill-and-drain cycle; all in MB and MB/s.
 */
public final class ThreeTierSystem {

    public static final int CACHE = 0;
    public static final int SSD_VALID = 1;
    public static final int SSD_GARBAGE = 2;
    public static final int HDD = 3;

    public static final int CLIENT = 0;
    public static final int FLUSH = 1;
    public static final int TIER_DOWN = 2;
    public static final int GC = 3;

    public static final int CPU = 0;
    public static final int SSD_BW = 1;
    public static final int HDD_BW = 2;

    static final double CACHE_MB = 32 * 1024;
    static final double SSD_MB = 4_000_000;
    static final double HDD_MB = 100_000_000;
    static final double CPU_LIMIT = 100;
    static final double SSD_BW_LIMIT = 4000;
    static final double HDD_BW_LIMIT = 800;

    /** Ideal watermarks a person would pick without tuning (the "without BO" ablation). */
    public static final double[] HAND_PICKED_IDEAL = {0.5, 0.5, 0.2, 0.5};
    public static final double HAND_PICKED_STIFFNESS = 1.0;

    private ThreeTierSystem() {
    }

    public static StorageDag dag(double[] idealWatermarks, double stiffness) {
        List<StorageNode> nodes = List.of(
                new StorageNode("cache", CACHE_MB, 0.0, 0.98, idealWatermarks[CACHE], stiffness),
                new StorageNode("ssd.valid", SSD_MB, 0.0, 0.98, idealWatermarks[SSD_VALID], stiffness),
                new StorageNode("ssd.garbage", SSD_MB, 0.0, 0.98, idealWatermarks[SSD_GARBAGE], stiffness),
                new StorageNode("hdd", HDD_MB, 0.0, 0.98, idealWatermarks[HDD], stiffness));
        List<BandwidthTask> tasks = List.of(
                BandwidthTask.client("client", new Edge("clients", "cache", 1)).withMaxRate(4000),
                BandwidthTask.of("flush", new Edge("cache", "ssd.valid", 1)).withMaxRate(3000),
                BandwidthTask.of("tier-down", new Edge("ssd.valid", "hdd", 1), new Edge("ssd.valid", "ssd.garbage", 1))
                        .withMaxRate(1500),
                BandwidthTask.of("gc", new Edge("ssd.garbage", "free", 1)).withMaxRate(3000));
        List<ResourceKind> resources = List.of(new ResourceKind("cpu", CPU_LIMIT), new ResourceKind("ssd-bandwidth", SSD_BW_LIMIT),
                new ResourceKind("hdd-bandwidth", HDD_BW_LIMIT));
        return new StorageDag(nodes, List.of(new Port("clients"), new Port("free")), tasks, resources);
    }

    /** Nominal consumption per MB/s of each task (the controller's prior): task x resource. */
    public static double[][] priorEfficiency() {
        return new double[][] {
            {0.03, 0.3, 0.1},
            {0.01, 1.0, 0.0},
            {0.01, 1.0, 1.0},
            {0.03, 3.0, 0.0},
        };
    }
}
