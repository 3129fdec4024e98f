package dev.fulcrum.qos;

/**
 * PASCAL's controller (PASCAL, "A Learning-aided Cooperative Bandwidth Control Policy for
 * Hierarchical Storage Systems", §4): the pressure balancer ({@link MigrationPlanner}) turns
 * watermarks into migration ratios, the bandwidth allocator ({@link BandwidthAllocator}) turns
 * ratios and predicted resource efficiency ({@link EfficiencyPredictor}) into bandwidths.
 *
 * <p>Cooperation (§4.2): throughput is "the most significant task in terms of the performance", so
 * <ul>
 *   <li>with a {@code yieldGain} (the simulator's setting) the client task gives way to the
 *   migrations only while the tiers below it are under pressure ({@link ClientYield}): its target
 *   moves from everything the resources allow it (no tier over its ideal watermark) to its Eq. 15
 *   share (a tier at its upper bound). The migrations take what the client leaves, each at most
 *   {@code conductance} times its pressure difference: a flow proportional to the pressure
 *   difference (§4.2, Pascal's law) that Eq. 19 scales down only when the resources bind, so a
 *   tier at or under its ideal watermark is not drained just because bandwidth is free;</li>
 *   <li>a cut of the client's rate is prudent: each tick it moves only {@code clientGain} of the way
 *   down, and never more than {@code clientMaxStep} of its current rate, and the other tasks share
 *   what it leaves. When the cache fills, flush therefore speeds up at once while throughput stays
 *   put, as in the paper's example ("remain bandwidth of throughput and increase bandwidth of
 *   flush"). A rise moves {@code clientRiseGain} of the way up.</li>
 * </ul>
 * Prudence gives way to safety: when the plan blocks the client task (its destination is at its
 * upper bound, Eq. 5) its rate follows the plan at once.
 *
 * <p>Usage: {@code new PressureController(name, dag, prior, EfficiencyPredictor.ema(0.3), Settings.DEFAULT)},
 * then {@link #rates} once per control interval with the watermarks, the efficiency measured over
 * the interval just ended and (for the cooperative settings) the bandwidth each task used.
 */
public final class PressureController implements BandwidthPolicy {

    /**
     * @param clientGain     fraction of the gap to a lower planned client rate closed per tick, in (0, 1]
     * @param clientMaxStep  largest cut of the client rate per tick, as a fraction of it (> 0)
     * @param clientRiseGain fraction of the gap to a higher planned client rate closed per tick, in (0, 1]
     * @param yieldGain      0: the client task gets its Eq. 15 share of the resources like every task;
     *                       > 0: it yields to the migrations only while the tiers below it are under
     *                       pressure ({@link ClientYield}, with this gain) and takes the resources back
     *                       when they are not
     * @param conductance    each migration's bandwidth is at most this times its pressure difference
     *                       (bandwidth units per unit of pressure; infinite: Eq. 19 alone)
     */
    public record Settings(double clientGain, double clientMaxStep, double clientRiseGain, double yieldGain,
            double conductance) {
        /** Every task at its Eq. 15 share, the client's cuts prudent (the proxy's: it reports no used bandwidth). */
        public static final Settings DEFAULT = new Settings(0.3, 0.1, 1.0);

        public Settings {
            Checks.check(clientGain > 0 && clientGain <= 1, "clientGain: %s (expected: in (0, 1])", clientGain);
            Checks.check(clientMaxStep > 0, "clientMaxStep: %s (expected: > 0)", clientMaxStep);
            Checks.check(clientRiseGain > 0 && clientRiseGain <= 1, "clientRiseGain: %s (expected: in (0, 1])", clientRiseGain);
            Checks.check(yieldGain >= 0 && Double.isFinite(yieldGain), "yieldGain: %s (expected: >= 0, finite)", yieldGain);
            Checks.check(conductance > 0, "conductance: %s (expected: > 0, or infinity)", conductance);
        }

        /** Without cooperation beyond prudence: the client at its share, no conductance limit. */
        public Settings(double clientGain, double clientMaxStep, double clientRiseGain) {
            this(clientGain, clientMaxStep, clientRiseGain, 0, Double.POSITIVE_INFINITY);
        }
    }

    private final String name;
    private final MigrationPlanner planner;
    private final BandwidthAllocator allocator;
    private final EfficiencyPredictor[][] predictors;
    private final Settings settings;
    private final int clientTask;
    private final ClientYield yield;
    private double lastYield;
    private double clientRate = Double.NaN;
    private double[] lastPressures = new double[0];
    private double[] lastTargets = new double[0];
    private double[] lastRates = new double[0];

    /**
     * @param priorEfficiency per task and resource, the nominal consumption per unit bandwidth used
     *                        until measurements arrive
     */
    public PressureController(String name, StorageDag dag, double[][] priorEfficiency, EfficiencyPredictor.Factory predictor,
            Settings settings) {
        this.name = name;
        this.planner = new MigrationPlanner(dag);
        this.allocator = new BandwidthAllocator(dag);
        this.settings = settings;
        int tasks = dag.tasks().size();
        int resources = dag.resources().size();
        Checks.check(priorEfficiency.length == tasks, "prior efficiency: %s rows (expected: %s, one per task)",
                priorEfficiency.length, tasks);
        predictors = new EfficiencyPredictor[tasks][resources];
        int client = -1;
        for (int t = 0; t < tasks; t++) {
            Checks.check(priorEfficiency[t].length == resources, "prior efficiency of task %s: %s values (expected: %s)",
                    dag.tasks().get(t).name(), priorEfficiency[t].length, resources);
            for (int k = 0; k < resources; k++) {
                predictors[t][k] = predictor.apply(priorEfficiency[t][k]);
            }
            if (dag.tasks().get(t).client()) {
                Checks.check(client < 0, "tasks %s and %s: both client tasks (expected: at most one)",
                        dag.tasks().get(Math.max(client, 0)).name(), dag.tasks().get(t).name());
                client = t;
            }
        }
        this.clientTask = client;
        this.yield = settings.yieldGain() > 0 && client >= 0 ? new ClientYield(dag, client, settings.yieldGain()) : null;
    }

    @Override
    public String name() {
        return name;
    }

    public StorageDag dag() {
        return planner.dag();
    }

    @Override
    public double[] rates(double[] watermarks, double[][] efficiency) {
        return rates(watermarks, efficiency, null);
    }

    /**
     * Work conservation: a migration task that used well under its bandwidth last interval (it ran
     * out of data, not of bandwidth) is capped near what it used, and Eq. 19's water-filling gives
     * the rest to the others, so a share no task can use is not left idle. The client task is
     * never capped this way (its demand can jump at any moment); with cooperation, when it used
     * well under its rate the migrations may use what it left (the resources are shared for at most
     * one tick if its demand comes back, then the allocation reserves its rate again).
     */
    @Override
    public double[] rates(double[] watermarks, double[][] efficiency, double[] used) {
        int tasks = predictors.length;
        double[] caps = allocator.maxRates();
        if (used != null && lastRates.length == tasks) {
            for (int t = 0; t < tasks; t++) {
                if (t != clientTask && used[t] >= 0 && Double.isFinite(lastRates[t]) && used[t] < 0.8 * lastRates[t]) {
                    caps[t] = Math.min(caps[t], Math.max(1.5 * used[t], 0.05 * lastRates[t]));
                }
            }
        }
        double[][] predicted = new double[tasks][];
        for (int t = 0; t < tasks; t++) {
            predicted[t] = new double[predictors[t].length];
            for (int k = 0; k < predictors[t].length; k++) {
                if (efficiency != null) {
                    predictors[t][k].observe(efficiency[t][k]);
                }
                predicted[t][k] = predictors[t][k].predict();
            }
        }
        lastPressures = planner.pressures(watermarks);
        double[] ratios = planner.ratios(watermarks);
        if (Double.isFinite(settings.conductance())) {
            // Bandwidth proportional to the pressure difference (§4.2), Eq. 19 scaling it only when resources bind.
            double[] differences = planner.pressureDifferences(lastPressures);
            for (int t = 0; t < tasks; t++) {
                if (t != clientTask) {
                    caps[t] = Math.min(caps[t], settings.conductance() * Math.max(0, differences[t]));
                }
            }
        }
        double[] plan = allocator.allocate(ratios, predicted, BandwidthAllocator.noneFixed(tasks), caps);
        lastTargets = plan;
        if (clientTask < 0) {
            lastRates = plan.clone();
            return plan;
        }
        double target = plan[clientTask];
        if (yield != null) {
            // Cooperation: the client gives way to the migrations only as far as the tiers are under pressure.
            lastYield = yield.of(watermarks);
            double[] alone = new double[tasks];
            alone[clientTask] = 1;
            double full = allocator.allocate(alone, predicted, BandwidthAllocator.noneFixed(tasks), caps)[clientTask];
            target = lastYield * target + (1 - lastYield) * Math.max(target, full);
        }
        if (Double.isNaN(clientRate) || Double.isInfinite(target) || Double.isInfinite(clientRate)
                || planner.blocked(clientTask, watermarks)) {
            clientRate = target;
        } else if (target > clientRate) {
            clientRate += settings.clientRiseGain() * (target - clientRate);
        } else {
            double step = settings.clientGain() * (target - clientRate);
            double maxStep = settings.clientMaxStep() * Math.max(clientRate, 1e-3 * Math.max(target, 1));
            clientRate += Math.max(-maxStep, Math.min(maxStep, step));
        }
        double[] fixed = BandwidthAllocator.noneFixed(tasks);
        fixed[clientTask] = clientRate;
        if (yield != null && used != null && used[clientTask] >= 0 && Double.isFinite(lastRates.length == tasks ? lastRates[clientTask] : Double.NaN)
                && used[clientTask] < 0.8 * lastRates[clientTask]) {
            // The client did not use its bandwidth (its demand was lower): the migrations may use the
            // rest until it does. It keeps its rate; if its demand comes back the resources are shared
            // for one tick, then the next allocation reserves what it uses.
            fixed[clientTask] = Math.min(clientRate, Math.max(1.25 * used[clientTask], 0.05 * clientRate));
        }
        double[] rates = allocator.allocate(ratios, predicted, fixed, caps);
        if (fixed[clientTask] < clientRate) {
            rates[clientTask] = clientRate;
        } else {
            clientRate = rates[clientTask];
        }
        lastRates = rates.clone();
        return rates;
    }

    /** The client task's yield at the last tick (0 without cooperation; see {@link ClientYield}). */
    public double lastYield() {
        return lastYield;
    }

    /** Node pressures computed at the last tick (for metrics). */
    public double[] lastPressures() {
        return lastPressures.clone();
    }

    /** The plan's bandwidths before the client task's prudent change, at the last tick. */
    public double[] lastTargets() {
        return lastTargets.clone();
    }
}
