package dev.fulcrum.learned.rl;

/**
 * Gradient steps on a flat parameter array. SGD is the paper's formula (3),
 * {@code W <- W - alpha * dL/dW}; Adam (Kingma and Ba, ICLR 2015) is what DQN implementations
 * usually train with, and what the simulator uses by default.
 */
final class Optimizer {

    enum Kind { SGD, ADAM }

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final Kind kind;
    private final double stepSize;
    private final double[] m;
    private final double[] v;
    private long steps;

    Optimizer(Kind kind, double stepSize, int parameters) {
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new IllegalArgumentException("alpha: " + stepSize + " (expected: a finite number > 0)");
        }
        this.kind = kind;
        this.stepSize = stepSize;
        this.m = kind == Kind.ADAM ? new double[parameters] : null;
        this.v = kind == Kind.ADAM ? new double[parameters] : null;
    }

    void step(double[] parameters, double[] gradient) {
        if (kind == Kind.SGD) {
            for (int i = 0; i < parameters.length; i++) {
                parameters[i] -= stepSize * gradient[i];
            }
            return;
        }
        steps++;
        double correction1 = 1 - Math.pow(BETA1, steps);
        double correction2 = 1 - Math.pow(BETA2, steps);
        for (int i = 0; i < parameters.length; i++) {
            double g = gradient[i];
            m[i] = BETA1 * m[i] + (1 - BETA1) * g;
            v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
            parameters[i] -= stepSize * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + EPSILON);
        }
    }
}
