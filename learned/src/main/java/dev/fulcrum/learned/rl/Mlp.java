package dev.fulcrum.learned.rl;

import java.util.SplittableRandom;

/**
 * A small fully connected network (ReLU hidden layers, linear output) with its own backward pass,
 * enough for DQN on a few dozen inputs. The paper's network (Mizutani, Sensors 2022, §4) has five
 * layers whose widths equal the input size; {@link #paperShape} builds that.
 *
 * <p>Why hand-written: it lets the simulator train inside {@code mvn test} and {@code fulcrum sim
 * incast} with no native library and no Python, deterministically from a seed, on 2 cores. The
 * networks are tiny (a few thousand weights), so plain loops are fast enough. The production trainer
 * is PyTorch (learned/training), exporting ONNX for the proxy; this class is not a general library.
 *
 * <p>Parameters are one flat array, layer by layer: weights (row-major, out x in) then biases.
 * Not thread-safe (scratch buffers); the simulator and the control thread each own theirs.
 */
public final class Mlp implements TrainableQFunction {

    private final int[] sizes;
    private final int[] weightOffset;
    private final int[] biasOffset;
    final double[] parameters;
    /** activations[l] is the output of layer l (activations[0] the input). */
    private final double[][] activations;
    private final double[][] deltas;

    public Mlp(int[] sizes, long seed) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("sizes: " + sizes.length + " layers (expected: >= 2)");
        }
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        weightOffset = new int[layers];
        biasOffset = new int[layers];
        int count = 0;
        for (int l = 0; l < layers; l++) {
            if (sizes[l] < 1 || sizes[l + 1] < 1) {
                throw new IllegalArgumentException("sizes: a layer of width < 1");
            }
            weightOffset[l] = count;
            count += sizes[l] * sizes[l + 1];
            biasOffset[l] = count;
            count += sizes[l + 1];
        }
        parameters = new double[count];
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 0; l < layers; l++) {
            // He initialisation for ReLU layers, kept small on the output layer so Q starts near 0.
            double scale = Math.sqrt(2.0 / sizes[l]) * (l == layers - 1 ? 0.1 : 1.0);
            for (int i = 0; i < sizes[l] * sizes[l + 1]; i++) {
                parameters[weightOffset[l] + i] = gaussian(random) * scale;
            }
        }
        activations = new double[sizes.length][];
        deltas = new double[sizes.length][];
        for (int l = 0; l < sizes.length; l++) {
            activations[l] = new double[sizes[l]];
            deltas[l] = new double[sizes[l]];
        }
    }

    /** Five layers, each hidden layer as wide as the input (the paper's shape). */
    public static Mlp paperShape(int stateSize, int actions, long seed) {
        return new Mlp(new int[] {stateSize, stateSize, stateSize, stateSize, actions}, seed);
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble(Double.MIN_VALUE, 1.0);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    @Override
    public int stateSize() {
        return sizes[0];
    }

    @Override
    public int actionSlots() {
        return sizes[sizes.length - 1];
    }

    @Override
    public double[] parameters() {
        return parameters;
    }

    @Override
    public Mlp copy() {
        Mlp copy = new Mlp(sizes, 0);
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public void evaluate(float[] state, double[] q) {
        forward(state);
        System.arraycopy(activations[sizes.length - 1], 0, q, 0, q.length);
    }

    private void forward(float[] state) {
        if (state.length != sizes[0]) {
            throw new IllegalArgumentException("state.length: " + state.length + " (expected: " + sizes[0] + ")");
        }
        double[] in = activations[0];
        for (int i = 0; i < in.length; i++) {
            in[i] = state[i];
        }
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            double[] x = activations[l];
            double[] y = activations[l + 1];
            int w = weightOffset[l];
            int b = biasOffset[l];
            boolean relu = l < layers - 1;
            for (int o = 0; o < y.length; o++) {
                double sum = parameters[b + o];
                int row = w + o * x.length;
                for (int i = 0; i < x.length; i++) {
                    sum += parameters[row + i] * x[i];
                }
                y[o] = relu && sum < 0 ? 0 : sum;
            }
        }
    }

    @Override
    public double accumulateGradient(float[] state, int action, double target, double clip, double[] gradient) {
        forward(state);
        int layers = sizes.length - 1;
        double error = activations[layers][action] - target;
        double clipped = Math.max(-clip, Math.min(clip, error));
        java.util.Arrays.fill(deltas[layers], 0);
        deltas[layers][action] = clipped;
        for (int l = layers - 1; l >= 0; l--) {
            double[] x = activations[l];
            double[] delta = deltas[l + 1];
            double[] back = deltas[l];
            java.util.Arrays.fill(back, 0);
            int w = weightOffset[l];
            int b = biasOffset[l];
            for (int o = 0; o < delta.length; o++) {
                double d = delta[o];
                if (d == 0) {
                    continue;
                }
                gradient[b + o] += d;
                int row = w + o * x.length;
                for (int i = 0; i < x.length; i++) {
                    gradient[row + i] += d * x[i];
                    back[i] += d * parameters[row + i];
                }
            }
            if (l > 0) {
                for (int i = 0; i < back.length; i++) {
                    if (x[i] <= 0) {
                        back[i] = 0; // ReLU: no gradient where the unit was off
                    }
                }
            }
        }
        return error;
    }
}
