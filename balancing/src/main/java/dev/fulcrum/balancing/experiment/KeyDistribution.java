package dev.fulcrum.balancing.experiment;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The key distributions of the DLB paper's balance experiment (Zhu et al., IEEE CLOUD 2021, IV-A2):
 * uniform, normal and log-normal double keys. The paper gives no parameters; these are ours:
 * uniform on [0, 1), normal with mean 0.5 and standard deviation 0.1, log-normal with mu 0 and
 * sigma 1 (a long right tail), all drawn from a seeded generator.
 */
public enum KeyDistribution {
    UNIFORM {
        @Override
        public double sample(SplittableRandom random) {
            return random.nextDouble();
        }
    },
    NORMAL {
        @Override
        public double sample(SplittableRandom random) {
            return 0.5 + 0.1 * random.nextGaussian();
        }
    },
    LOG_NORMAL {
        @Override
        public double sample(SplittableRandom random) {
            return Math.exp(random.nextGaussian());
        }
    };

    public abstract double sample(SplittableRandom random);

    /** {@code uniform}, {@code normal}, {@code log-normal}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code count} keys drawn with {@code seed}. */
    public double[] keys(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] keys = new double[count];
        for (int i = 0; i < count; i++) {
            keys[i] = sample(random);
        }
        return keys;
    }
}
