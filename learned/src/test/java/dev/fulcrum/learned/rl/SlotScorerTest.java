package dev.fulcrum.learned.rl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlotScorerTest {

    @Test
    void absentSlotsAreNotScoredAndPresentOnesDependOnlyOnTheirOwnLoadAndTheMeans() {
        SlotScorer scorer = new SlotScorer(4, new int[] {8}, 3);
        QStateSchema schema = new QStateSchema(4, 10);
        float[] state = new float[schema.stateSize()];
        schema.encode(new int[] {2, 7, 2, 0}, new int[] {1, 1, 1, 0}, new boolean[] {true, true, true, false}, state);
        double[] q = new double[4];
        scorer.evaluate(state, q);
        assertThat(q[3]).isZero();
        assertThat(q[0]).isEqualTo(q[2]); // same load, same neighbourhood: same score whatever the slot
        assertThat(q[1]).isNotEqualTo(q[0]);
    }

    @Test
    void learnsToPreferChildrenBelowCapacity() {
        // Reward 1 for a child whose load (own + others) is at most the scale, else 0; gamma 0.
        QStateSchema schema = new QStateSchema(5, 10);
        SlotScorer scorer = new SlotScorer(5, new int[] {16, 16}, 1);
        DqnTrainer trainer = new DqnTrainer(scorer,
                new DqnTrainer.Settings(DqnTrainer.Target.DOUBLE_DQN, 0.0, 3e-3, true, 32, 5000, 50, 1.0, 2));
        SplittableRandom random = new SplittableRandom(12);
        boolean[] present = {true, true, true, true, true};
        float[] state = new float[schema.stateSize()];
        int[] own = new int[5];
        int[] others = new int[5];
        for (int step = 0; step < 3000; step++) {
            for (int k = 0; k < 5; k++) {
                own[k] = random.nextInt(10);
                others[k] = random.nextInt(8);
            }
            schema.encode(own, others, present, state);
            int action = random.nextInt(5);
            trainer.remember(state, action, own[action] + others[action] <= 10 ? 1 : 0, state, 31L);
            trainer.trainStep();
        }
        schema.encode(new int[] {2, 9, 3, 8, 1}, new int[] {1, 6, 2, 7, 0}, present, state);
        double[] q = new double[5];
        scorer.evaluate(state, q);
        SelectionSnapshot snapshot = SelectionSnapshot.fromQ(q, present, 0.1, 0);
        double below = snapshot.probability(0) + snapshot.probability(2) + snapshot.probability(4);
        assertThat(below).isGreaterThan(0.9);
    }
}
