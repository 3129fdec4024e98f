package dev.fulcrum.qos.sim;

import java.util.SplittableRandom;

/**
 * A "real-world-like" workload standing in for the paper's five customer traces (which are not
 * public): five segments with their own base load (70% to 120% of what the system serves), read
 * ratio and block size, a slow daily-like swing of +-20%, and write bursts (Poisson, one every ~5
 * minutes, 20 s to 3 min long, 1.5x to 2.5x the demand, read ratio halved). Demand is open: below
 * the system's capacity the clients are fully served and throughput follows the demand.
 */
final class BurstyWorkload implements Workload {

    static final int SEGMENTS = 5;

    private final Phase[] perSecond;

    BurstyWorkload(int seconds, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        perSecond = new Phase[seconds];
        double[] base = new double[SEGMENTS];
        double[] read = new double[SEGMENTS];
        double[] block = new double[SEGMENTS];
        for (int s = 0; s < SEGMENTS; s++) {
            base[s] = 900 + 600 * random.nextDouble();
            read[s] = 0.2 + 0.5 * random.nextDouble();
            block[s] = new double[] {8, 32, 64, 128, 512}[random.nextInt(5)];
        }
        double burstEnd = -1;
        double burstFactor = 1;
        double phase = random.nextDouble() * 2 * Math.PI;
        for (int t = 0; t < seconds; t++) {
            int s = Math.min(SEGMENTS - 1, (int) ((long) t * SEGMENTS / seconds));
            if (t >= burstEnd && random.nextDouble() < 1.0 / 300) {
                burstEnd = t + 20 + random.nextDouble() * 160;
                burstFactor = 1.5 + random.nextDouble();
            }
            boolean burst = t < burstEnd;
            double swing = 1 + 0.2 * Math.sin(phase + 2 * Math.PI * t / 3600.0);
            double demand = base[s] * swing * (burst ? burstFactor : 1);
            perSecond[t] = new Phase(demand, burst ? read[s] / 2 : read[s], block[s], 64);
        }
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
