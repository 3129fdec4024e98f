package dev.fulcrum.qos.sim;

import static dev.fulcrum.qos.sim.ThreeTierSystem.*;

import dev.fulcrum.qos.BandwidthPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fluid, discrete-time simulator of the three-tier system of {@link ThreeTierSystem} (steps of
 * 0.1 s, the policy called once a second). Deterministic for a seed. What it models, and the
 * assumptions the results depend on, are written down in docs/pressure-control.md; in short:
 * <ul>
 *   <li>Client I/O is one FIFO queue, fed at the workload's rate up to its queue depth (closed loop
 *   beyond it) and drained as fast as the client task's bandwidth lets its writes into the cache
 *   (reads migrate nothing: only the resources bound them). Writes need room in the cache: when the
 *   cache is full they (and the reads queued behind them) wait for flush. Latency = FIFO waiting
 *   time (exact, from the cumulative arrival and departure curves) + mean service time.</li>
 *   <li>Flush moves cache -> SSD valid (a share of it overwrites older valid data, which becomes
 *   garbage); it is blocked while the SSD is full. Tier-down copies valid SSD data to HDD and leaves
 *   the SSD copy as garbage; GC frees garbage at a cost that grows as garbage gets scarce (greedy
 *   victim selection in a log-structured store).</li>
 *   <li>Each task consumes CPU, SSD and HDD bandwidth per MB; the true consumption drifts randomly
 *   (log-normal AR(1) per task and resource, plus background-job episodes). When the tasks ask more
 *   of a resource than its limit, every task using it slows down in proportion.</li>
 *   <li>Read hits in the cache grow with the cache watermark, hits in the SSD with its valid data:
 *   emptying a fast tier costs read performance.</li>
 * </ul>
 */
public final class TieredStorageSimulator {

    static final double DT = 0.1;
    static final int STEPS_PER_SECOND = 10;
    /** Share of flushed data that overwrites data valid on the SSD (the old copy becomes garbage). */
    static final double OVERWRITE = 0.4;
    /** Share of tiered-down data that is new on the HDD (the rest replaces older HDD copies). */
    static final double HDD_NEW = 0.02;
    static final double NOISE_SIGMA = 0.2;
    static final double NOISE_PHI = 0.995;

    /** One point of the time series (every {@code sampleSeconds}): watermarks, rates, throughputs. */
    public record Sample(int second, double[] watermarks, double[] rates, double[] throughputs) {
    }

    private TieredStorageSimulator() {
    }

    public static SimulationResult run(BandwidthPolicy policy, Workload workload, long seed, int sampleSeconds) {
        return new Run(policy, workload, seed, sampleSeconds).go();
    }

    private static final class Run {
        final BandwidthPolicy policy;
        final Workload workload;
        final SplittableRandom random;
        final int sampleSeconds;
        final int steps;

        double cache = 0.5 * CACHE_MB;
        double valid = 0.45 * SSD_MB;
        double garbage = 0.15 * SSD_MB;
        double hdd = 0.5 * HDD_MB;
        double queue;
        final double[][] noise = new double[4][3];
        double episodeEnd = -1;

        // Cumulative client arrivals and departures (MB) after each step, for FIFO delays.
        final double[] cumArrivals;
        final double[] cumDepartures;
        final float[] serviceMs;
        final float[] requestMB;

        Run(BandwidthPolicy policy, Workload workload, long seed, int sampleSeconds) {
            this.policy = policy;
            this.workload = workload;
            this.random = new SplittableRandom(seed);
            this.sampleSeconds = sampleSeconds;
            this.steps = workload.seconds() * STEPS_PER_SECOND;
            cumArrivals = new double[steps + 1];
            cumDepartures = new double[steps + 1];
            serviceMs = new float[steps];
            requestMB = new float[steps];
        }

        double[] watermarks() {
            return new double[] {
                cache / CACHE_MB,
                valid / Math.max(1, SSD_MB - garbage),
                garbage / Math.max(1, SSD_MB - valid),
                hdd / HDD_MB,
            };
        }

        SimulationResult go() {
            double[] rates = policy.rates(watermarks(), null);
            double[][] consumed = new double[4][3];
            double[] moved = new double[4];
            double[] secondThroughput = new double[workload.seconds()];
            int[] segmentOf = new int[workload.seconds()];
            List<Sample> samples = new ArrayList<>();
            double[] sampleMoved = new double[4];
            double[][] eff = new double[4][3];
            double[] x = new double[4];
            for (int step = 0; step < steps; step++) {
                int second = step / STEPS_PER_SECOND;
                Workload.Phase phase = workload.at(second);
                segmentOf[second] = segment(second);
                if (step % STEPS_PER_SECOND == 0) {
                    if (step > 0) {
                        double[] used = new double[4];
                        for (int t = 0; t < 4; t++) {
                            used[t] = moved[t]; // MB over the last second = MB/s
                        }
                        rates = policy.rates(watermarks(), measured(consumed, moved), used);
                        for (double[] row : consumed) {
                            java.util.Arrays.fill(row, 0);
                        }
                        java.util.Arrays.fill(moved, 0);
                    }
                    if (second % sampleSeconds == 0) {
                        double[] throughputs = sampleMoved.clone();
                        for (int t = 0; t < 4; t++) {
                            throughputs[t] /= (second == 0 ? 1 : sampleSeconds);
                        }
                        samples.add(new Sample(second, watermarks(), rates.clone(), throughputs));
                        java.util.Arrays.fill(sampleMoved, 0);
                    }
                    if (second >= episodeEnd && random.nextDouble() < 1.0 / 900) {
                        episodeEnd = second + 30 + 120 * random.nextDouble();
                    }
                }
                boolean episode = second < episodeEnd;
                advanceNoise();

                double wCache = cache / CACHE_MB;
                double cacheHit = 0.6 * wCache;
                double ssdHit = (1 - cacheHit) * 0.85 * Math.min(1, valid / (0.6 * SSD_MB));
                double hddHit = Math.max(0, 1 - cacheHit - ssdHit);
                double rho = phase.readRatio();
                double gcAmplification = gcAmplification();
                double[][] nominal = {
                    {0.02 * (1 + 32 / phase.blockKiB()), rho * ssdHit, rho * hddHit},
                    {0.01, 1.0, 0},
                    {0.01, 1.0, 1.0},
                    {0.01 * gcAmplification, gcAmplification, 0},
                };
                for (int t = 0; t < 4; t++) {
                    for (int k = 0; k < 3; k++) {
                        double factor = Math.exp(NOISE_SIGMA * noise[t][k] - NOISE_SIGMA * NOISE_SIGMA / 2);
                        if (episode) {
                            factor *= k == CPU ? 1.6 : k == SSD_BW ? 1.25 : 1.0;
                        }
                        eff[t][k] = nominal[t][k] * factor;
                    }
                }

                // Offered client load: open rate up to what the queue depth allows (closed loop).
                double hddUtil = Math.min(0.95, sampleHddUse / HDD_BW_LIMIT);
                double service = serviceMillis(phase, cacheHit, ssdHit, hddHit, hddUtil);
                double queueCap = phase.queueDepth() * phase.blockMB();
                double desired = Math.min(phase.demand(), queueCap / (service / 1000));

                x[FLUSH] = Math.min(rate(rates, FLUSH), Math.min(cache, ssdRoom()) / DT);
                x[TIER_DOWN] = Math.min(rate(rates, TIER_DOWN), Math.min(valid, (0.98 * HDD_MB - hdd) / HDD_NEW) / DT);
                x[GC] = Math.min(rate(rates, GC), garbage / DT);
                double offered = desired * DT;
                // The client task is the migration clients -> cache (PASCAL §2.1, Fig. 1): its bandwidth
                // bounds the writes; reads move no data between tiers and are bounded by the resources only.
                double writeShare = Math.max(0.05, 1 - rho);
                x[CLIENT] = Math.min(rate(rates, CLIENT) / writeShare, (queue + offered) / DT);

                // Contention: a resource asked for more than its limit slows all its users alike.
                double[] scale = {1, 1, 1};
                double[] limits = {CPU_LIMIT, SSD_BW_LIMIT, HDD_BW_LIMIT};
                for (int k = 0; k < 3; k++) {
                    double use = 0;
                    for (int t = 0; t < 4; t++) {
                        use += x[t] * eff[t][k];
                    }
                    scale[k] = use > limits[k] ? limits[k] / use : 1;
                }
                for (int t = 0; t < 4; t++) {
                    double s = 1;
                    for (int k = 0; k < 3; k++) {
                        if (eff[t][k] > 0) {
                            s = Math.min(s, scale[k]);
                        }
                    }
                    x[t] *= s;
                }
                // Writes need room in the cache: what flush frees this step plus what is free.
                double room = Math.max(0, 0.999 * CACHE_MB - cache + x[FLUSH] * DT);
                if (rho < 1 && x[CLIENT] * (1 - rho) * DT > room) {
                    x[CLIENT] = room / ((1 - rho) * DT);
                }

                // Closed loop: a client issues a new request only when the queue depth leaves room.
                double arrivals = Math.min(offered, Math.max(0, queueCap - queue) + x[CLIENT] * DT);
                x[CLIENT] = Math.min(x[CLIENT], (queue + arrivals) / DT);
                queue += arrivals;

                double overwrite = Math.min(OVERWRITE * x[FLUSH] * DT, valid);
                cache += (x[CLIENT] * (1 - rho) - x[FLUSH]) * DT;
                valid += x[FLUSH] * DT - overwrite - x[TIER_DOWN] * DT;
                garbage += overwrite + x[TIER_DOWN] * DT - x[GC] * DT;
                hdd += x[TIER_DOWN] * DT * HDD_NEW;
                cache = Math.max(0, cache);
                valid = Math.max(0, valid);
                garbage = Math.max(0, garbage);
                double departures = x[CLIENT] * DT;
                queue = Math.max(0, queue - departures);

                cumArrivals[step + 1] = cumArrivals[step] + arrivals;
                cumDepartures[step + 1] = cumDepartures[step] + departures;
                serviceMs[step] = (float) service;
                requestMB[step] = (float) phase.blockMB();
                secondThroughput[second] += departures;
                sampleHddUse = 0;
                for (int t = 0; t < 4; t++) {
                    // What a task migrated: for the client, the writes into the cache (its bandwidth's unit).
                    double migrated = (t == CLIENT ? x[t] * writeShare : x[t]) * DT;
                    moved[t] += migrated;
                    sampleMoved[t] += migrated;
                    sampleHddUse += x[t] * eff[t][HDD_BW];
                    for (int k = 0; k < 3; k++) {
                        consumed[t][k] += x[t] * eff[t][k] * DT;
                    }
                }
            }
            return SimulationResult.of(policy.name(), workload.name(), secondThroughput, segmentOf, latencies(), samples);
        }

        double sampleHddUse;

        private int segment(int second) {
            int segments = workload instanceof SyntheticWorkload ? SyntheticWorkload.RUNS : BurstyWorkload.SEGMENTS;
            return (int) ((long) second * segments / workload.seconds());
        }

        private double ssdRoom() {
            return Math.max(0, 0.99 * SSD_MB - valid - garbage);
        }

        /** MB read and rewritten per MB freed: victims hold a garbage share better than average. */
        private double gcAmplification() {
            double share = garbage / Math.max(1, valid + garbage);
            double victim = Math.min(0.95, Math.max(0.05, 2.5 * share));
            return 1 + 2 * (1 - victim) / victim;
        }

        private static double rate(double[] rates, int task) {
            double r = rates[task];
            return Double.isNaN(r) ? 0 : Math.max(0, r);
        }

        private void advanceNoise() {
            double innovation = Math.sqrt(1 - NOISE_PHI * NOISE_PHI);
            for (double[] row : noise) {
                for (int k = 0; k < row.length; k++) {
                    row[k] = NOISE_PHI * row[k] + innovation * gaussian();
                }
            }
        }

        private double gaussian() {
            double u = Math.max(1e-12, random.nextDouble());
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        }

        /** Mean service time (ms) of a request, without queueing: the device it lands on, HDD slowed by its load. */
        private static double serviceMillis(Workload.Phase phase, double cacheHit, double ssdHit, double hddHit, double hddUtil) {
            double mb = phase.blockMB();
            double memory = 0.05 + mb * 0.25;
            double ssd = 0.15 + mb * 0.5;
            double disk = (5 + mb * 6) / (1 - hddUtil);
            double read = cacheHit * memory + ssdHit * ssd + hddHit * disk;
            return (1 - phase.readRatio()) * memory + phase.readRatio() * read;
        }

        private static double[][] measured(double[][] consumed, double[] moved) {
            double[][] eff = new double[4][3];
            for (int t = 0; t < 4; t++) {
                for (int k = 0; k < 3; k++) {
                    eff[t][k] = moved[t] > 1e-9 ? consumed[t][k] / moved[t] : Double.NaN;
                }
            }
            return eff;
        }

        /** FIFO waiting time of each step's arrivals (virtual delay of a fluid queue) + service time. */
        private LatencyHistogram latencies() {
            LatencyHistogram histogram = new LatencyHistogram();
            int d = 0;
            for (int s = 0; s < steps; s++) {
                double arrived = cumArrivals[s + 1] - cumArrivals[s];
                if (arrived <= 0) {
                    continue;
                }
                double mark = cumArrivals[s] + arrived / 2;
                while (d < steps && cumDepartures[d + 1] < mark) {
                    d++;
                }
                double departure;
                if (d >= steps) {
                    departure = steps * DT; // still queued at the end: counted with the wait so far (censored)
                } else {
                    double within = cumDepartures[d + 1] - cumDepartures[d];
                    double fraction = within > 0 ? (mark - cumDepartures[d]) / within : 1;
                    departure = (d + Math.max(0, Math.min(1, fraction))) * DT;
                }
                double wait = Math.max(0, departure - (s + 0.5) * DT);
                histogram.record(wait * 1000 + serviceMs[s], arrived / requestMB[s]);
            }
            return histogram;
        }
    }
}
