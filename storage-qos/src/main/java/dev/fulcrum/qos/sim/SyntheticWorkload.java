package dev.fulcrum.qos.sim;

import java.util.SplittableRandom;

/**
 * Vdbench-like synthetic workload (PASCAL §5.1): 20 runs, each a mix of read/write ratio, block size
 * and queue depth at an unthrottled rate (the client sends as fast as it is served, up to its queue
 * depth), merged back to back into one workload.
 */
final class SyntheticWorkload implements Workload {

    private static final double[] READ_RATIOS = {0.0, 0.3, 0.5, 0.7};
    private static final double[] BLOCKS_KIB = {16, 64, 256, 1024};
    private static final int[] QUEUE_DEPTHS = {16, 32, 64};
    static final int RUNS = 20;

    private final Phase[] runs = new Phase[RUNS];
    private final int seconds;

    SyntheticWorkload(int seconds, long seed) {
        this.seconds = seconds;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < RUNS; i++) {
            // "Max rate" runs: demand above anything the system can serve, so the queue depth binds.
            runs[i] = new Phase(4000, READ_RATIOS[random.nextInt(READ_RATIOS.length)],
                    BLOCKS_KIB[random.nextInt(BLOCKS_KIB.length)], QUEUE_DEPTHS[random.nextInt(QUEUE_DEPTHS.length)]);
        }
    }

    @Override
    public Phase at(int second) {
        return runs[Math.min(RUNS - 1, (int) ((long) second * RUNS / seconds))];
    }

    @Override
    public int seconds() {
        return seconds;
    }

    @Override
    public String name() {
        return "synthetic";
    }
}
