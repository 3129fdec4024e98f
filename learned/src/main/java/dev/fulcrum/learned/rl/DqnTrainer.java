package dev.fulcrum.learned.rl;

import java.util.SplittableRandom;

/**
 * DQN (Mnih et al., arXiv:1312.5602) and Double DQN (van Hasselt et al., AAAI 2016), the two
 * learners of Mizutani, Sensors 2022, §4: experience replay, a target network synchronised every
 * {@code targetSync} steps, and the TD error of the paper's formula (3) minimised on mini-batches.
 *
 * <ul>
 *   <li>DQN target: {@code r + gamma * max_a' Q_target(s', a')};</li>
 *   <li>Double DQN target: {@code r + gamma * Q_target(s', argmax_a' Q_online(s', a'))}, which
 *       removes DQN's over-estimation (the paper's reason DDQN does better).</li>
 * </ul>
 * Only actions present in s' are considered by the max. The TD error is clipped (Huber-like) so a
 * burst of extreme rewards cannot blow the weights up. Deterministic from its seed.
 */
public final class DqnTrainer {

    public enum Target { DQN, DOUBLE_DQN }

    /**
     * @param gamma discount (paper: 0.9)
     * @param alpha optimiser step size (the paper's alpha = 0.1 is the step of its SGD formula (3);
     *     with Adam a step near 1e-3 is the usual scale)
     */
    public record Settings(Target target, double gamma, double alpha, boolean adam, int batchSize,
            int replayCapacity, int targetSync, double errorClip, long seed) {
        public Settings {
            if (!(gamma >= 0 && gamma < 1)) {
                throw new IllegalArgumentException("gamma: " + gamma + " (expected: from 0 to below 1)");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: >= 1)");
            }
            if (targetSync < 1) {
                throw new IllegalArgumentException("targetSync: " + targetSync + " (expected: >= 1)");
            }
            if (!(errorClip > 0)) {
                throw new IllegalArgumentException("errorClip: " + errorClip + " (expected: > 0)");
            }
        }

        public static Settings defaults(Target target, long seed) {
            return new Settings(target, 0.9, 1e-3, true, 32, 50_000, 200, 1.0, seed);
        }
    }

    private final Settings settings;
    private final TrainableQFunction online;
    private final TrainableQFunction targetNetwork;
    private final Optimizer optimizer;
    private final ReplayBuffer replay;
    private final SplittableRandom random;
    private final double[] gradient;
    private final float[] state;
    private final float[] nextState;
    private final double[] qNext;
    private final double[] qNextOnline;
    private long steps;

    public DqnTrainer(TrainableQFunction online, Settings settings) {
        if (online.actionSlots() > 64) {
            throw new IllegalArgumentException("actionSlots: " + online.actionSlots() + " (expected: <= 64)");
        }
        this.settings = settings;
        this.online = online;
        this.targetNetwork = online.copy();
        this.optimizer = new Optimizer(settings.adam() ? Optimizer.Kind.ADAM : Optimizer.Kind.SGD,
                settings.alpha(), online.parameters().length);
        this.replay = new ReplayBuffer(settings.replayCapacity(), online.stateSize());
        this.random = new SplittableRandom(settings.seed());
        this.gradient = new double[online.parameters().length];
        this.state = new float[online.stateSize()];
        this.nextState = new float[online.stateSize()];
        this.qNext = new double[online.actionSlots()];
        this.qNextOnline = new double[online.actionSlots()];
    }

    /** The network being trained (its Q-values drive the policy). */
    public TrainableQFunction online() {
        return online;
    }

    public Settings settings() {
        return settings;
    }

    public int remembered() {
        return replay.size();
    }

    /** Stores one transition; {@code nextMask} bit k set when slot k may be chosen in s'. */
    public void remember(float[] s, int action, double reward, float[] sNext, long nextMask) {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward: " + reward + " (expected: a finite number)");
        }
        replay.add(s, action, reward, sNext, nextMask);
    }

    /** One mini-batch step; returns the batch's mean squared TD error, or NaN before the first batch fits. */
    public double trainStep() {
        int batch = settings.batchSize();
        if (replay.size() < batch) {
            return Double.NaN;
        }
        java.util.Arrays.fill(gradient, 0);
        double squared = 0;
        for (int n = 0; n < batch; n++) {
            int index = replay.sample(random);
            replay.nextState(index, nextState);
            double target = replay.reward(index) + settings.gamma() * bootstrap(nextState, replay.nextMask(index));
            replay.state(index, state);
            double error = online.accumulateGradient(state, replay.action(index), target, settings.errorClip(), gradient);
            squared += error * error;
        }
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] /= batch;
        }
        optimizer.step(online.parameters(), gradient);
        if (++steps % settings.targetSync() == 0) {
            targetNetwork.copyFrom(online);
        }
        return squared / batch;
    }

    private double bootstrap(float[] sNext, long mask) {
        if (mask == 0) {
            return 0; // terminal: nothing to choose next
        }
        targetNetwork.evaluate(sNext, qNext);
        if (settings.target() == Target.DQN) {
            return qNext[argmax(qNext, mask)];
        }
        online.evaluate(sNext, qNextOnline);
        return qNext[argmax(qNextOnline, mask)];
    }

    static int argmax(double[] q, long mask) {
        int best = -1;
        for (int k = 0; k < q.length; k++) {
            if ((mask & (1L << k)) != 0 && (best < 0 || q[k] > q[best])) {
                best = k;
            }
        }
        return best;
    }

    /** The mask of present slots as bits, for {@link #remember}. */
    public static long maskOf(boolean[] present) {
        long mask = 0;
        for (int k = 0; k < present.length; k++) {
            if (present[k]) {
                mask |= 1L << k;
            }
        }
        return mask;
    }
}
