package dev.fulcrum.learned.incast;

import java.util.SplittableRandom;

/**
 * The data-centre networks of Mizutani, Sensors 2022, §4 (Figure 6): three tiers of 10 core,
 * 50 aggregate and 250 server components, capacities 100,000 / 10,000 / 1,000 flows varying by
 * +-10% at random, and link RTTs drawn in [0, 1 ms] (here [0.01, 1] ms: a zero minimum RTT would
 * make the reward's minRTT / RTT undefined).
 *
 * <ul>
 *   <li>Tree (the paper's non-complex architecture): every component has 5 links down to its own
 *       children; each child has exactly one parent.</li>
 *   <li>Fat-tree (complex): parents are grouped in pods of {@link #POD_PARENTS}, and each parent
 *       links down to all 5 x 2 = 10 children of its pod, so every child has two parents and the
 *       flows a parent sees are not all the flows its child holds. The paper gives the tier sizes
 *       and "five connections to the lower layer" but not the fat-tree wiring; with those tier sizes
 *       a child can only have several parents if parents have more than five links, so we keep the
 *       tier sizes and pod the parents (documented in docs/rl-incast.md).</li>
 * </ul>
 * Capacities are multiplied by a scale (the simulator's default is 1/100, see docs) before the
 * +-10% variation.
 */
final class Topology {

    enum Kind {
        TREE("tree"), FAT_TREE("fat-tree");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    static final int[] TIER_SIZES = {10, 50, 250};
    static final int[] PAPER_CAPACITIES = {100_000, 10_000, 1_000};
    static final int FAN_OUT = 5;
    static final int POD_PARENTS = 2;
    static final int CORE = 0;
    static final int AGGREGATE = 1;
    static final int SERVER = 2;

    final Kind kind;
    final int[] tierStart;
    final int components;
    final int[] tier;
    final int[] capacity;
    /** children[c][slot]: component index; empty for servers. */
    final int[][] children;
    /** baseRtt[c][slot]: the uncongested RTT of the link from c to its slot-th child, in ms. */
    final double[][] baseRtt;
    /** Action slots every choosing component is modelled with (the widest fan-out). */
    final int actionSlots;
    final double[] nominalCapacity;

    Topology(Kind kind, double capacityScale, long seed) {
        if (!(capacityScale > 0 && capacityScale <= 1)) {
            throw new IllegalArgumentException("capacityScale: " + capacityScale + " (expected: in (0, 1])");
        }
        this.kind = kind;
        SplittableRandom random = new SplittableRandom(seed);
        tierStart = new int[TIER_SIZES.length + 1];
        for (int t = 0; t < TIER_SIZES.length; t++) {
            tierStart[t + 1] = tierStart[t] + TIER_SIZES[t];
        }
        components = tierStart[TIER_SIZES.length];
        tier = new int[components];
        capacity = new int[components];
        children = new int[components][];
        baseRtt = new double[components][];
        nominalCapacity = new double[TIER_SIZES.length];
        int parentsPerPod = kind == Kind.TREE ? 1 : POD_PARENTS;
        actionSlots = FAN_OUT * parentsPerPod;
        for (int t = 0; t < TIER_SIZES.length; t++) {
            nominalCapacity[t] = PAPER_CAPACITIES[t] * capacityScale;
            for (int i = 0; i < TIER_SIZES[t]; i++) {
                int c = tierStart[t] + i;
                tier[c] = t;
                capacity[c] = (int) Math.max(1, Math.round(nominalCapacity[t] * random.nextDouble(0.9, 1.1)));
                if (t == SERVER) {
                    children[c] = new int[0];
                    baseRtt[c] = new double[0];
                    continue;
                }
                int pod = i / parentsPerPod;
                int width = FAN_OUT * parentsPerPod;
                children[c] = new int[width];
                baseRtt[c] = new double[width];
                for (int k = 0; k < width; k++) {
                    children[c][k] = tierStart[t + 1] + pod * width + k;
                    baseRtt[c][k] = random.nextDouble(0.01, 1.0);
                }
            }
        }
    }

    int tierSize(int t) {
        return TIER_SIZES[t];
    }

    /** Components that choose a child for each flow (cores and aggregates). */
    boolean chooses(int component) {
        return tier[component] != SERVER;
    }

    int serverCapacity() {
        int total = 0;
        for (int c = tierStart[SERVER]; c < tierStart[SERVER + 1]; c++) {
            total += capacity[c];
        }
        return total;
    }
}
