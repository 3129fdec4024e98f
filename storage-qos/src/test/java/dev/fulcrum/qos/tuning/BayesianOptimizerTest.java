package dev.fulcrum.qos.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class BayesianOptimizerTest {

    private static final ToDoubleFunction<double[]> BOWL =
            p -> Math.pow(p[0] - 0.73, 2) + Math.pow(p[1] - 0.21, 2) + 0.5 * Math.pow(p[2] - 0.5, 2);

    @Test
    void findsTheMinimumOfASmoothBowlBetterThanRandomSearchWithTheSameBudget() {
        BayesianOptimizer.Trace trace = new BayesianOptimizer(3, 5, 20, 3).minimise(BOWL, null);
        assertThat(trace.values()).hasSize(25);
        SplittableRandom random = new SplittableRandom(3);
        double bestRandom = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 25; i++) {
            bestRandom = Math.min(bestRandom, BOWL.applyAsDouble(new double[] {random.nextDouble(), random.nextDouble(), random.nextDouble()}));
        }
        assertThat(trace.bestValue()).isLessThan(bestRandom).isLessThan(0.005);
    }

    @Test
    void isDeterministicForASeed() {
        double[] a = new BayesianOptimizer(3, 4, 6, 9).minimise(BOWL, null).best();
        double[] b = new BayesianOptimizer(3, 4, 6, 9).minimise(BOWL, null).best();
        assertThat(a).containsExactly(b);
    }

    @Test
    void expectedImprovementIsLargerWhereTheMeanIsLowerOrTheDoubtLarger() {
        double base = BayesianOptimizer.expectedImprovement(new double[] {1.0, 0.1}, 1.0);
        assertThat(BayesianOptimizer.expectedImprovement(new double[] {0.8, 0.1}, 1.0)).isGreaterThan(base);
        assertThat(BayesianOptimizer.expectedImprovement(new double[] {1.0, 0.5}, 1.0)).isGreaterThan(base);
    }
}
