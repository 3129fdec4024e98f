package dev.fulcrum.qos.tuning;

import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.DecompositionSolver;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;

/**
 * Gaussian-process regression with a squared-exponential kernel (Rasmussen and Williams, Gaussian
 * Processes for Machine Learning, Alg. 2.1), on inputs in the unit cube and standardised outputs.
 * The length scale is picked from a grid by the log marginal likelihood; the noise term keeps the
 * Cholesky factorisation stable and absorbs the simulator's seed-to-seed spread.
 */
final class GaussianProcess {

    private static final double[] LENGTH_SCALES = {0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2};
    private static final double NOISE = 1e-3;

    private final double[][] x;
    private final double mean;
    private final double scale;
    private final double lengthScale;
    private final DecompositionSolver solver;
    private final RealVector alpha;

    GaussianProcess(double[][] x, double[] y) {
        this.x = x;
        double m = 0;
        for (double v : y) {
            m += v;
        }
        m /= y.length;
        double var = 0;
        for (double v : y) {
            var += (v - m) * (v - m);
        }
        this.mean = m;
        this.scale = y.length > 1 && var > 0 ? Math.sqrt(var / y.length) : 1;
        RealVector target = MatrixUtils.createRealVector(y.length);
        for (int i = 0; i < y.length; i++) {
            target.setEntry(i, (y[i] - mean) / scale);
        }
        double bestLikelihood = Double.NEGATIVE_INFINITY;
        double bestScale = LENGTH_SCALES[0];
        DecompositionSolver bestSolver = null;
        RealVector bestAlpha = null;
        for (double l : LENGTH_SCALES) {
            CholeskyDecomposition cholesky = new CholeskyDecomposition(kernelMatrix(l), 1e-12, 1e-14);
            DecompositionSolver s = cholesky.getSolver();
            RealVector a = s.solve(target);
            double logDet = 0;
            RealMatrix lower = cholesky.getL();
            for (int i = 0; i < y.length; i++) {
                logDet += 2 * Math.log(lower.getEntry(i, i));
            }
            double likelihood = -0.5 * target.dotProduct(a) - 0.5 * logDet;
            if (likelihood > bestLikelihood) {
                bestLikelihood = likelihood;
                bestScale = l;
                bestSolver = s;
                bestAlpha = a;
            }
        }
        this.lengthScale = bestScale;
        this.solver = bestSolver;
        this.alpha = bestAlpha;
    }

    private RealMatrix kernelMatrix(double l) {
        int n = x.length;
        RealMatrix k = MatrixUtils.createRealMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = kernel(x[i], x[j], l) + (i == j ? NOISE : 0);
                k.setEntry(i, j, v);
                k.setEntry(j, i, v);
            }
        }
        return k;
    }

    private static double kernel(double[] a, double[] b, double l) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.exp(-d / (2 * l * l));
    }

    /** Posterior mean and standard deviation at {@code point}, in the original units. */
    double[] predict(double[] point) {
        RealVector k = MatrixUtils.createRealVector(x.length);
        for (int i = 0; i < x.length; i++) {
            k.setEntry(i, kernel(point, x[i], lengthScale));
        }
        double mu = k.dotProduct(alpha);
        double variance = Math.max(1e-12, 1 - k.dotProduct(solver.solve(k)));
        return new double[] {mean + scale * mu, scale * Math.sqrt(variance)};
    }
}
