package dev.fulcrum.qos.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.hipparchus.special.Erf;

/**
 * Minimises a noisy, expensive function on the unit cube by Bayesian optimisation (PASCAL §4.2,
 * "learning to cooperation"; Snoek et al., NeurIPS 2012): a few space-filling random points, then
 * each step fits a {@link GaussianProcess} to everything seen and evaluates the point of largest
 * expected improvement, found among random candidates and perturbations of the best point so far.
 * Deterministic for a seed.
 */
public final class BayesianOptimizer {

    /** Every evaluation, in order, and the best one. */
    public record Trace(List<double[]> points, List<Double> values, double[] best, double bestValue) {
    }

    private final int dimensions;
    private final int initialPoints;
    private final int iterations;
    private final long seed;

    public BayesianOptimizer(int dimensions, int initialPoints, int iterations, long seed) {
        if (dimensions < 1 || initialPoints < 1 || iterations < 0) {
            throw new IllegalArgumentException("dimensions, initialPoints, iterations: " + dimensions + ", " + initialPoints
                    + ", " + iterations + " (expected: >= 1, >= 1, >= 0)");
        }
        this.dimensions = dimensions;
        this.initialPoints = initialPoints;
        this.iterations = iterations;
        this.seed = seed;
    }

    /**
     * @param start a point to evaluate first (a person's guess), or null
     */
    public Trace minimise(ToDoubleFunction<double[]> objective, double[] start) {
        SplittableRandom random = new SplittableRandom(seed);
        List<double[]> points = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        if (start != null) {
            evaluate(objective, start.clone(), points, values);
        }
        for (int i = 0; i < initialPoints; i++) {
            evaluate(objective, randomPoint(random), points, values);
        }
        for (int i = 0; i < iterations; i++) {
            double[][] x = points.toArray(new double[0][]);
            double[] y = values.stream().mapToDouble(Double::doubleValue).toArray();
            GaussianProcess gp = new GaussianProcess(x, y);
            double best = min(y);
            double[] incumbent = x[argmin(y)];
            double[] next = null;
            double bestEi = -1;
            for (int c = 0; c < 3000; c++) {
                double[] candidate = c % 2 == 0 ? randomPoint(random) : perturb(incumbent, random, c % 4 == 1 ? 0.05 : 0.15);
                double ei = expectedImprovement(gp.predict(candidate), best);
                if (ei > bestEi) {
                    bestEi = ei;
                    next = candidate;
                }
            }
            evaluate(objective, next, points, values);
        }
        double[] y = values.stream().mapToDouble(Double::doubleValue).toArray();
        int best = argmin(y);
        return new Trace(points, values, points.get(best).clone(), y[best]);
    }

    /** EI for minimisation: E[max(0, best - f(x))] under the posterior N(mu, sigma^2). */
    static double expectedImprovement(double[] prediction, double best) {
        double mu = prediction[0];
        double sigma = prediction[1];
        if (sigma <= 0) {
            return Math.max(0, best - mu);
        }
        double z = (best - mu) / sigma;
        double cdf = 0.5 * (1 + Erf.erf(z / Math.sqrt(2)));
        double pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
        return (best - mu) * cdf + sigma * pdf;
    }

    private static void evaluate(ToDoubleFunction<double[]> objective, double[] point, List<double[]> points, List<Double> values) {
        double value = objective.applyAsDouble(point);
        points.add(point);
        values.add(Double.isFinite(value) ? value : 1e9);
    }

    private double[] randomPoint(SplittableRandom random) {
        double[] p = new double[dimensions];
        for (int i = 0; i < dimensions; i++) {
            p[i] = random.nextDouble();
        }
        return p;
    }

    private static double[] perturb(double[] center, SplittableRandom random, double width) {
        double[] p = center.clone();
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.max(0, Math.min(1, p[i] + width * (2 * random.nextDouble() - 1)));
        }
        return p;
    }

    private static double min(double[] y) {
        return y[argmin(y)];
    }

    private static int argmin(double[] y) {
        int best = 0;
        for (int i = 1; i < y.length; i++) {
            if (y[i] < y[best]) {
                best = i;
            }
        }
        return best;
    }
}
