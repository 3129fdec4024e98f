package dev.fulcrum.learned.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DqnTrainerTest {

    /**
     * A contextual bandit: the state says which of 4 arms pays (one-hot in the own block); that arm
     * pays 1, the others 0; slot 3 is absent and must never become the choice. With gamma 0 the
     * learned Q must approach the immediate rewards.
     */
    @ParameterizedTest
    @EnumSource(DqnTrainer.Target.class)
    void learnsATrivialContextualBandit(DqnTrainer.Target target) {
        QStateSchema schema = new QStateSchema(4, 1);
        boolean[] present = {true, true, true, false};
        Mlp network = new Mlp(new int[] {schema.stateSize(), 16, 16, 4}, 11);
        DqnTrainer trainer = new DqnTrainer(network,
                new DqnTrainer.Settings(target, 0.0, 3e-3, true, 32, 5000, 50, 1.0, 5));
        SplittableRandom random = new SplittableRandom(99);
        float[] state = new float[schema.stateSize()];
        float[] next = new float[schema.stateSize()];
        long mask = DqnTrainer.maskOf(present);
        for (int step = 0; step < 3000; step++) {
            int good = random.nextInt(3);
            encode(schema, good, present, state);
            encode(schema, random.nextInt(3), present, next);
            int action = random.nextInt(3);
            trainer.remember(state, action, action == good ? 1 : 0, next, mask);
            trainer.trainStep();
        }
        double[] q = new double[4];
        for (int good = 0; good < 3; good++) {
            encode(schema, good, present, state);
            network.evaluate(state, q);
            for (int k = 0; k < 3; k++) {
                assertThat(q[k]).as("Q(good=%d, %d)", good, k).isCloseTo(k == good ? 1 : 0, within(0.15));
            }
            SelectionSnapshot snapshot = SelectionSnapshot.fromQ(q, present, 0.1, 0);
            assertThat(snapshot.probability(good)).isGreaterThan(0.9);
            assertThat(snapshot.probability(3)).isZero();
        }
    }

    @Test
    void withDiscountTheValueOfAConstantRewardApproachesItsGeometricSum() {
        // Every transition pays 1 and leads to a state with one action: Q -> 1 / (1 - gamma) = 2.
        Mlp network = new Mlp(new int[] {3, 8, 1}, 2);
        DqnTrainer trainer = new DqnTrainer(network,
                new DqnTrainer.Settings(DqnTrainer.Target.DOUBLE_DQN, 0.5, 3e-3, true, 16, 100, 20, 1.0, 1));
        float[] state = {0, 0, 1};
        for (int step = 0; step < 3000; step++) {
            trainer.remember(state, 0, 1, state, 1L);
            trainer.trainStep();
        }
        double[] q = new double[1];
        network.evaluate(state, q);
        assertThat(q[0]).isCloseTo(2.0, within(0.1));
    }

    @Test
    void sameSeedSameNetwork() {
        double[] a = train(4);
        double[] b = train(4);
        assertThat(a).containsExactly(b);
    }

    private static double[] train(long seed) {
        Mlp network = Mlp.paperShape(6, 2, seed);
        DqnTrainer trainer = new DqnTrainer(network, DqnTrainer.Settings.defaults(DqnTrainer.Target.DQN, seed));
        SplittableRandom random = new SplittableRandom(seed);
        float[] s = new float[6];
        for (int step = 0; step < 200; step++) {
            s[0] = (float) random.nextDouble();
            s[4] = 1;
            s[5] = 1;
            trainer.remember(s, random.nextInt(2), random.nextDouble(), s, 3L);
            trainer.trainStep();
        }
        return network.parameters.clone();
    }

    private static void encode(QStateSchema schema, int good, boolean[] present, float[] out) {
        int[] own = new int[4];
        own[good] = 1;
        schema.encode(own, null, present, out);
    }
}
