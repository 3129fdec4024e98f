package dev.fulcrum.qos.sim;

import java.util.SplittableRandom;

/**
 * A "real-world-like" workload standing in for the paper's five customer traces (which are not
 * public): five segments with their own base load (40% to 60% of what the system serves
 * of that mix, {@link #roughCapacity}), read ratio and block size, a slow daily-like swing of +-20%, and write bursts (Poisson,
 * one every ~5 minutes, 10 s to 90 s long, 1.2x to 1.6x the demand, read ratio halved). Mean demand
 * stays under capacity so that the backlog a burst leaves drains again. Demand is open: below
 * the system's capacity the clients are fully served and throughput follows the demand. Unlike
 * the synthetic runs (a benchmark tool with a fixed queue depth), the clients are open: what the
 * system does not serve queues up and waits.
 */
final class BurstyWorkload implements Workload {

    static final int SEGMENTS = 5;
    /** Many independent hosts: requests keep arriving whether or not earlier ones were answered (open loop). */
    static final int OPEN = 10_000_000;

    private final Phase[] perSecond;

    BurstyWorkload(int seconds, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        perSecond = new Phase[seconds];
        double[] base = new double[SEGMENTS];
        double[] read = new double[SEGMENTS];
        double[] block = new double[SEGMENTS];
        for (int s = 0; s < SEGMENTS; s++) {
            read[s] = 0.2 + 0.5 * random.nextDouble();
            block[s] = new double[] {8, 32, 64, 128, 512}[random.nextInt(5)];
            base[s] = (0.4 + 0.2 * random.nextDouble()) * roughCapacity(read[s], block[s]);
        }
        double burstEnd = -1;
        double burstFactor = 1;
        double phase = random.nextDouble() * 2 * Math.PI;
        for (int t = 0; t < seconds; t++) {
            int s = Math.min(SEGMENTS - 1, (int) ((long) t * SEGMENTS / seconds));
            if (t >= burstEnd && random.nextDouble() < 1.0 / 300) {
                burstEnd = t + 10 + random.nextDouble() * 80;
                burstFactor = 1.2 + 0.4 * random.nextDouble();
            }
            boolean burst = t < burstEnd;
            double swing = 1 + 0.2 * Math.sin(phase + 2 * Math.PI * t / 3600.0);
            double demand = base[s] * swing * (burst ? burstFactor : 1);
            perSecond[t] = new Phase(demand, burst ? read[s] / 2 : read[s], block[s], OPEN);
        }
    }

    /**
     * What the system serves of this mix in steady state, from the nominal costs of the whole
     * pipeline per client MB (client, then flush, tier-down and GC of the written share), at an
     * assumed GC amplification of 2.5: the workload is sized against the system, never against a
     * method.
     */
    static double roughCapacity(double readRatio, double blockKiB) {
        double writes = 1 - readRatio;
        double cpu = 0.02 * (1 + 32 / blockKiB) + writes * (0.01 + 0.6 * 0.01 + 0.025);
        double ssd = readRatio * 0.5 + writes * (1 + 0.6 + 2.5);
        double hdd = readRatio * 0.1 + writes * 0.6;
        return Math.min(ThreeTierSystem.CPU_LIMIT / cpu, Math.min(ThreeTierSystem.SSD_BW_LIMIT / ssd, ThreeTierSystem.HDD_BW_LIMIT / hdd));
    }

    @Override
    public Phase at(int second) {
        return perSecond[second];
    }

    @Override
    public int seconds() {
        return perSecond.length;
    }

    @Override
    public String name() {
        return "real-world-like";
    }
}
