package dev.fulcrum.qos;

import java.util.List;

/** A small chain: clients -> cache -> disk -> out, with one resource each task uses. */
final class TestDags {

    private TestDags() {
    }

    static StorageDag chain(double cacheIdeal, double diskIdeal, double stiffness) {
        return new StorageDag(
                List.of(new StorageNode("cache", 100, 0, 0.95, cacheIdeal, stiffness),
                        new StorageNode("disk", 1000, 0, 0.95, diskIdeal, stiffness)),
                List.of(new Port("clients"), new Port("out")),
                List.of(BandwidthTask.client("client", new Edge("clients", "cache", 1)),
                        BandwidthTask.of("flush", new Edge("cache", "disk", 1)),
                        BandwidthTask.of("evict", new Edge("disk", "out", 1))),
                List.of(new ResourceKind("cpu", 100), new ResourceKind("disk-bandwidth", 500)));
    }

    static double[][] efficiency() {
        return new double[][] {{0.05, 0.0}, {0.02, 1.0}, {0.02, 1.0}};
    }
}
