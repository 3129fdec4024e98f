package dev.fulcrum.qos.sim;

/**
 * What the clients ask of the simulated storage system at each second: an open arrival rate,
 * bounded by a queue depth (a client never has more than {@code queueDepth} requests of
 * {@code blockKiB} outstanding; arrivals beyond that wait on the client side and are not offered).
 */
interface Workload {

    /** The workload's demand during second {@code second} (0-based, below {@link #seconds()}). */
    Phase at(int second);

    int seconds();

    String name();

    /**
     * @param demand    MB/s the clients would send if served at once
     * @param readRatio fraction of the bytes that are reads
     * @param blockKiB  request size
     * @param queueDepth requests outstanding at most
     */
    record Phase(double demand, double readRatio, double blockKiB, int queueDepth) {
        double blockMB() {
            return blockKiB / 1024.0;
        }
    }
}
