package dev.fulcrum.learned.incast;

import java.util.SplittableRandom;

/**
 * Discrete-event simulation of flows through a {@link Topology} (Mizutani, Sensors 2022, §4):
 * flows arrive at a uniformly chosen core as a Poisson process, each chooses an aggregate, which
 * chooses a server (the {@link Router} decides both), and each holds one flow slot on its three
 * components until it completes.
 *
 * <p>Model (every constant is in docs/rl-incast.md):
 * <ul>
 *   <li>Time in ms; the control tick (feedback, inference, training) is {@value #TICK_MS} ms.</li>
 *   <li>Arrival-rate parameter {@code a}, flow-length parameter {@code mu}: flow lengths are
 *       exponential with mean {@code 5 / mu} ms, and the arrival rate is set so that at
 *       {@code mu = 0.5} the offered load is {@code a} times the total server capacity;
 *       so offered load = {@code a * 0.5 / mu}.</li>
 *   <li>A flow meets incast when, as it is established, some component on its path holds more
 *       flows than its capacity.</li>
 *   <li>Link RTT to a child = base RTT + 1 ms * (exp(2 * over) - 1), with
 *       {@code over = min(2, max(0, flows / capacity - 1))}: exponential growth past capacity.
 *       Loss on that hop = {@code max(0, 1 - capacity / flows)}.</li>
 *   <li>A flow's slowdown is its path's worst {@code max(1, flows / capacity)} at establishment;
 *       FCT = length * slowdown + path RTT. The flow holds its slots for its length (its download
 *       time, as the paper defines flow length): holding them for the slowed-down FCT, with the rate
 *       frozen at establishment, starves the network and collapses every policy at any load near
 *       capacity, which a processor-sharing network does not do.</li>
 * </ul>
 * Arrivals, flow lengths, cores and flow hashes come from one generator seeded by the scenario,
 * the router's random bits from another: every policy sees the same flows (common random numbers),
 * and a seed gives identical results.
 */
final class IncastSimulator {

    static final double TICK_MS = 1.0;
    static final double BASE_LENGTH_MS = 5.0;
    static final double REFERENCE_LENGTH_RATE = 0.5;
    static final double RTT_GROWTH = 2.0;
    static final double RTT_UNIT_MS = 1.0;
    static final double MAX_OVERLOAD = 2.0;

    /** One run's traffic: {@code a}, {@code mu}, ticks and seed. */
    record Scenario(double arrivalRate, double flowLengthRate, int warmupTicks, int measureTicks, long seed) {
        Scenario {
            if (!(arrivalRate > 0) || !(flowLengthRate > 0)) {
                throw new IllegalArgumentException("arrivalRate, flowLengthRate: " + arrivalRate + ", "
                        + flowLengthRate + " (expected: both > 0)");
            }
        }

        double offeredLoad() {
            return arrivalRate * REFERENCE_LENGTH_RATE / flowLengthRate;
        }

        double meanLengthMs() {
            return BASE_LENGTH_MS / flowLengthRate;
        }
    }

    final Topology topology;
    /** Open flows per component. */
    final int[] active;
    /** own[c][slot]: flows component c has open through its slot-th child. */
    final int[][] own;
    /** The reward each component last fed back to its parents (servers: their delivery ratio). */
    final double[] fedBackReward;
    private final double[] rewardSum;
    private final int[] rewardCount;
    private final FlowTable flows = new FlowTable();
    private double now;

    IncastSimulator(Topology topology) {
        this.topology = topology;
        active = new int[topology.components];
        own = new int[topology.components][];
        for (int c = 0; c < topology.components; c++) {
            own[c] = new int[topology.children[c].length];
        }
        fedBackReward = new double[topology.components];
        java.util.Arrays.fill(fedBackReward, 1.0);
        rewardSum = new double[topology.components];
        rewardCount = new int[topology.components];
    }

    /** Learning routers report each placement's reward; a component feeds back the mean of a tick. */
    void addReward(int component, double reward) {
        rewardSum[component] += reward;
        rewardCount[component]++;
    }

    double now() {
        return now;
    }

    /** Runs the scenario from an empty network and measures the flows of the measured ticks. */
    RunResult run(Router router, Scenario scenario, String policyName) {
        RunMetrics metrics = new RunMetrics();
        runTicks(router, scenario, scenario.warmupTicks() + scenario.measureTicks(), scenario.warmupTicks(), metrics);
        return metrics.result(topology.kind.label(), policyName, scenario.arrivalRate(),
                scenario.flowLengthRate(), scenario.offeredLoad());
    }

    /** Runs {@code ticks} ticks, recording flows that arrive from tick {@code measureFrom} on into metrics. */
    void runTicks(Router router, Scenario scenario, int ticks, int measureFrom, RunMetrics metrics) {
        SplittableRandom traffic = new SplittableRandom(scenario.seed());
        SplittableRandom routing = new SplittableRandom(scenario.seed() ^ 0x2545F4914F6CDD1DL);
        double arrivalsPerMs = scenario.arrivalRate() * topology.serverCapacity()
                / (BASE_LENGTH_MS / REFERENCE_LENGTH_RATE);
        double meanLength = scenario.meanLengthMs();
        double start = now;
        double nextArrival = start + exponential(traffic, 1 / arrivalsPerMs);
        for (int tick = 0; tick < ticks; tick++) {
            double tickEnd = start + (tick + 1) * TICK_MS;
            feedBack();
            router.onTick(this);
            boolean measuring = tick >= measureFrom;
            while (nextArrival < tickEnd) {
                departUntil(nextArrival);
                now = nextArrival;
                place(router, traffic, routing, meanLength, measuring ? metrics : null);
                nextArrival += exponential(traffic, 1 / arrivalsPerMs);
            }
            departUntil(tickEnd);
            now = tickEnd;
        }
    }

    private void feedBack() {
        int serverStart = topology.tierStart[Topology.SERVER];
        for (int c = 0; c < topology.components; c++) {
            if (c >= serverStart) {
                fedBackReward[c] = active[c] <= topology.capacity[c] ? 1.0 : topology.capacity[c] / (double) active[c];
            } else if (rewardCount[c] > 0) {
                fedBackReward[c] = rewardSum[c] / rewardCount[c];
            }
            rewardSum[c] = 0;
            rewardCount[c] = 0;
        }
    }

    private void place(Router router, SplittableRandom traffic, SplittableRandom routing, double meanLength,
            RunMetrics metrics) {
        int core = topology.tierStart[Topology.CORE] + traffic.nextInt(topology.tierSize(Topology.CORE));
        long flowHash = traffic.nextLong();
        double length = exponential(traffic, meanLength);
        int coreSlot = router.choose(core, flowHash, routing.nextLong());
        int aggregate = topology.children[core][coreSlot];
        int aggregateSlot = router.choose(aggregate, flowHash, routing.nextLong());
        int server = topology.children[aggregate][aggregateSlot];
        active[core]++;
        active[aggregate]++;
        active[server]++;
        own[core][coreSlot]++;
        own[aggregate][aggregateSlot]++;

        boolean incast = over(core) || over(aggregate) || over(server);
        double rtt1 = topology.baseRtt[core][coreSlot] + queueing(aggregate);
        double rtt2 = topology.baseRtt[aggregate][aggregateSlot] + queueing(server);
        router.onPlaced(core, coreSlot, rtt1, loss(aggregate), this);
        router.onPlaced(aggregate, aggregateSlot, rtt2, loss(server), this);
        double slowdown = Math.max(1, Math.max(load(core), Math.max(load(aggregate), load(server))));
        double fct = length * slowdown + rtt1 + rtt2;
        int id = flows.open(now + length);
        flows.setPath(id, core, coreSlot, aggregate, aggregateSlot, server);
        if (metrics != null) {
            metrics.record(incast, rtt1 + rtt2, 1 - 1 / slowdown, fct);
        }
    }

    private void departUntil(double time) {
        while (flows.nextDeparture() <= time) {
            int id = flows.closeNext();
            int core = flows.path(id, 0);
            int aggregate = flows.path(id, 2);
            active[core]--;
            active[aggregate]--;
            active[flows.path(id, 4)]--;
            own[core][flows.path(id, 1)]--;
            own[aggregate][flows.path(id, 3)]--;
        }
    }

    private boolean over(int c) {
        return active[c] > topology.capacity[c];
    }

    private double load(int c) {
        return active[c] / (double) topology.capacity[c];
    }

    private double queueing(int c) {
        double over = Math.min(MAX_OVERLOAD, Math.max(0, load(c) - 1));
        return RTT_UNIT_MS * (Math.exp(RTT_GROWTH * over) - 1);
    }

    private double loss(int c) {
        return active[c] <= topology.capacity[c] ? 0 : 1 - topology.capacity[c] / (double) active[c];
    }

    private static double exponential(SplittableRandom random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }
}
