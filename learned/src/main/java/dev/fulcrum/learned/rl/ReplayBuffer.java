package dev.fulcrum.learned.rl;

import java.util.SplittableRandom;

/**
 * Experience replay (Mnih et al., arXiv:1312.5602): the last {@code capacity} transitions
 * {@code (s, a, r, s', mask')} in flat arrays, overwritten oldest first, sampled uniformly.
 * The mask of s' says which actions the bootstrap may consider (absent children are never a
 * next action). Action slots are limited to 64 (the mask is a long).
 */
final class ReplayBuffer {

    private final int stateSize;
    private final int capacity;
    private final float[] states;
    private final float[] nextStates;
    private final int[] actions;
    private final double[] rewards;
    private final long[] nextMasks;
    private int size;
    private int next;

    ReplayBuffer(int capacity, int stateSize) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replayCapacity: " + capacity + " (expected: >= 1)");
        }
        this.stateSize = stateSize;
        this.capacity = capacity;
        states = new float[capacity * stateSize];
        nextStates = new float[capacity * stateSize];
        actions = new int[capacity];
        rewards = new double[capacity];
        nextMasks = new long[capacity];
    }

    void add(float[] state, int action, double reward, float[] nextState, long nextMask) {
        System.arraycopy(state, 0, states, next * stateSize, stateSize);
        System.arraycopy(nextState, 0, nextStates, next * stateSize, stateSize);
        actions[next] = action;
        rewards[next] = reward;
        nextMasks[next] = nextMask;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    int size() {
        return size;
    }

    int sample(SplittableRandom random) {
        return random.nextInt(size);
    }

    void state(int index, float[] out) {
        System.arraycopy(states, index * stateSize, out, 0, stateSize);
    }

    void nextState(int index, float[] out) {
        System.arraycopy(nextStates, index * stateSize, out, 0, stateSize);
    }

    int action(int index) {
        return actions[index];
    }

    double reward(int index) {
        return rewards[index];
    }

    long nextMask(int index) {
        return nextMasks[index];
    }
}
