package dev.fulcrum.learned.incast;

import dev.fulcrum.learned.rl.DqnTrainer;
import dev.fulcrum.learned.rl.FlowReward;
import dev.fulcrum.learned.rl.Mlp;
import dev.fulcrum.learned.rl.QFunction;
import dev.fulcrum.learned.rl.SlotScorer;
import dev.fulcrum.learned.rl.TrainableQFunction;
import dev.fulcrum.learned.rl.QStateSchema;
import dev.fulcrum.learned.rl.SelectionPublisher;
import dev.fulcrum.learned.rl.SelectionSnapshot;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The Q-network policy in the simulator, with the proxy's policy code: every tick each choosing
 * component encodes its state ({@link QStateSchema}), evaluates its tier's Q-network and publishes
 * a Boltzmann {@link SelectionSnapshot} ({@link SelectionPublisher}); each flow is one O(1) draw
 * from it. Rewards follow {@link FlowReward} with the child's fed-back reward.
 *
 * <ul>
 *   <li>Hierarchical feedback (Mizutani, Sensors 2022, §3): state includes the flows each child
 *       reports from its other parents; reward beta = 0.5 with the child's reward.</li>
 *   <li>IFS-RL (the paper's baseline [9]): the same code, state without the children's reports,
 *       beta = 1.</li>
 * </ul>
 * All components of a tier share one network (the paper trains one per component; the 60 agents
 * are symmetric, and sharing lets 2 cores train them in seconds). With trainers, each tick stores
 * up to {@link #TRANSITIONS_PER_TICK} of each agent's placements (reservoir-sampled) as
 * transitions (s_t, a, r, s_t+1) and takes a few mini-batch steps per tier.
 */
final class LearnedRouter implements Router {

    static final int TRANSITIONS_PER_TICK = 4;

    private final Topology topology;
    private final boolean feedback;
    private final FlowReward reward;
    private final QFunction[] networks;
    private final int stepsPerTick;
    private final DqnTrainer[] trainers;
    private final QStateSchema[] schemas;
    private final SelectionPublisher[] publishers;
    private final boolean[][] present;
    private final float[][] state;
    private final float[][] previous;
    private final boolean[] hasPrevious;
    private final double[][] minRtt;
    private final int[][] pendingSlot;
    private final double[][] pendingReward;
    private final int[] placedThisTick;
    private final int[] others;
    private final double[] q;
    private final SplittableRandom reservoir;

    /**
     * @param networks one per choosing tier (core, aggregate)
     * @param trainers one per choosing tier (training {@code networks}), or null to run them frozen
     */
    LearnedRouter(Topology topology, boolean feedback, FlowReward reward, QFunction[] networks,
            DqnTrainer[] trainers, int stepsPerTick, double temperature, long seed) {
        this.topology = topology;
        this.feedback = feedback;
        this.reward = reward;
        this.networks = networks;
        this.trainers = trainers;
        this.stepsPerTick = stepsPerTick;
        int slots = topology.actionSlots;
        schemas = new QStateSchema[] {
            new QStateSchema(slots, topology.nominalCapacity[Topology.AGGREGATE]),
            new QStateSchema(slots, topology.nominalCapacity[Topology.SERVER])};
        int n = topology.components;
        publishers = new SelectionPublisher[n];
        present = new boolean[n][];
        state = new float[n][];
        previous = new float[n][];
        hasPrevious = new boolean[n];
        minRtt = new double[n][];
        pendingSlot = new int[n][TRANSITIONS_PER_TICK];
        pendingReward = new double[n][TRANSITIONS_PER_TICK];
        placedThisTick = new int[n];
        for (int c = 0; c < n; c++) {
            if (!topology.chooses(c)) {
                continue;
            }
            present[c] = new boolean[slots];
            Arrays.fill(present[c], 0, topology.children[c].length, true);
            publishers[c] = new SelectionPublisher(temperature, SelectionSnapshot.uniform(present[c], 0));
            state[c] = new float[schemas[0].stateSize()];
            previous[c] = new float[schemas[0].stateSize()];
            minRtt[c] = new double[slots];
            Arrays.fill(minRtt[c], Double.POSITIVE_INFINITY);
        }
        others = new int[slots];
        q = new double[slots];
        reservoir = new SplittableRandom(seed);
    }

    /**
     * Fresh networks for both choosing tiers: {@code "slot"} (a {@link SlotScorer}, two hidden layers
     * of 16) or {@code "paper"} (the paper's five-layer MLP over the whole state).
     */
    static TrainableQFunction[] networks(String shape, Topology topology, long seed) {
        TrainableQFunction[] networks = new TrainableQFunction[2];
        for (int t = 0; t < 2; t++) {
            networks[t] = switch (shape) {
                case "slot" -> new SlotScorer(topology.actionSlots, new int[] {16, 16}, seed + t);
                case "paper" -> Mlp.paperShape(QStateSchema.BLOCKS * topology.actionSlots, topology.actionSlots, seed + t);
                default -> throw new IllegalArgumentException("network: " + shape + " (expected: slot or paper)");
            };
        }
        return networks;
    }

    @Override
    public void onTick(IncastSimulator sim) {
        for (int c = 0; c < topology.components; c++) {
            if (!topology.chooses(c)) {
                continue;
            }
            int tier = topology.tier[c];
            int[] children = topology.children[c];
            for (int k = 0; k < children.length; k++) {
                others[k] = sim.active[children[k]] - sim.own[c][k];
            }
            schemas[tier].encode(sim.own[c], feedback ? others : null, present[c], state[c]);
            if (trainers != null && hasPrevious[c]) {
                long mask = DqnTrainer.maskOf(present[c]);
                int stored = Math.min(placedThisTick[c], TRANSITIONS_PER_TICK);
                for (int i = 0; i < stored; i++) {
                    trainers[tier].remember(previous[c], pendingSlot[c][i], pendingReward[c][i], state[c], mask);
                }
            }
            networks[tier].evaluate(state[c], q);
            publishers[c].update(q, present[c]);
            System.arraycopy(state[c], 0, previous[c], 0, state[c].length);
            hasPrevious[c] = true;
            placedThisTick[c] = 0;
        }
        if (trainers != null) {
            for (DqnTrainer trainer : trainers) {
                for (int i = 0; i < stepsPerTick; i++) {
                    trainer.trainStep();
                }
            }
        }
    }

    @Override
    public int choose(int component, long flowHash, long random) {
        return publishers[component].current().draw(random);
    }

    @Override
    public void onPlaced(int component, int slot, double rtt, double loss, IncastSimulator sim) {
        double[] min = minRtt[component];
        if (rtt < min[slot]) {
            min[slot] = rtt;
        }
        double r = reward.reward(min[slot], rtt, loss, sim.fedBackReward[topology.children[component][slot]]);
        sim.addReward(component, r);
        if (trainers == null) {
            return;
        }
        int seen = placedThisTick[component]++;
        int index = seen < TRANSITIONS_PER_TICK ? seen : reservoir.nextInt(seen + 1);
        if (index < TRANSITIONS_PER_TICK) {
            pendingSlot[component][index] = slot;
            pendingReward[component][index] = r;
        }
    }

    /** Forgets the last state of every component: the next tick starts a new episode (new network). */
    void startEpisode() {
        Arrays.fill(hasPrevious, false);
        Arrays.fill(placedThisTick, 0);
    }

    /** Accepted / refused distribution updates, summed over components (refusals mean NaN Q-values). */
    long rejectedUpdates() {
        long total = 0;
        for (SelectionPublisher publisher : publishers) {
            if (publisher != null) {
                total += publisher.rejectedUpdates();
            }
        }
        return total;
    }
}
