package dev.fulcrum.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rise/fall state machine, by example and against a reference model on random result sequences. */
class HealthStateTest {

    @Test
    void startsUpWithNoCounts() {
        HealthState state = new HealthState(2, 3);

        assertThat(state.isUp()).isTrue();
        assertThat(state.consecutivePasses()).isZero();
        assertThat(state.consecutiveFailures()).isZero();
    }

    @Test
    void goesDownOnTheFallthFailureInARowAndUpOnTheRisethPass() {
        HealthState state = new HealthState(2, 3);

        assertThat(state.record(false)).isFalse();
        assertThat(state.record(false)).isFalse();
        assertThat(state.record(false)).as("third failure in a row").isTrue();
        assertThat(state.isUp()).isFalse();
        assertThat(state.record(false)).as("already down").isFalse();
        assertThat(state.consecutiveFailures()).isEqualTo(4);

        assertThat(state.record(true)).isFalse();
        assertThat(state.record(true)).as("second pass in a row").isTrue();
        assertThat(state.isUp()).isTrue();
        assertThat(state.consecutivePasses()).isEqualTo(2);
        assertThat(state.consecutiveFailures()).isZero();
    }

    @Test
    void aPassBetweenFailuresRestartsTheCount() {
        HealthState state = new HealthState(2, 3);

        for (boolean result : new boolean[] {false, false, true, false, false, true, false, false}) {
            assertThat(state.record(result)).isFalse();
        }
        assertThat(state.isUp()).as("never three failures in a row").isTrue();
    }

    @Test
    void riseAndFallOfOneFlipOnEveryChangeOfResult() {
        HealthState state = new HealthState(1, 1);

        assertThat(state.record(true)).isFalse();
        assertThat(state.record(false)).isTrue();
        assertThat(state.record(true)).isTrue();
    }

    @Test
    void riseAndFallBelowOneAreRefused() {
        assertThatThrownBy(() -> new HealthState(0, 3)).hasMessage("rise: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new HealthState(2, 0)).hasMessage("fall: 0 (expected: >= 1)");
    }

    /**
     * Property: on any sequence, the state is the one the last complete run decided. A backend is
     * down exactly when, since the last run of {@code rise} passes (or the start), some run of
     * {@code fall} failures happened; a transition is reported exactly when the state changes; the
     * counts are the length of the current run.
     */
    @Test
    void matchesTheReferenceModelOnRandomSequences() {
        Random random = new Random(20261122);
        for (int trial = 0; trial < 2_000; trial++) {
            int rise = 1 + random.nextInt(5);
            int fall = 1 + random.nextInt(5);
            double passRate = random.nextDouble();
            HealthState state = new HealthState(rise, fall);
            boolean modelUp = true;
            int run = 0;
            boolean runOfPasses = true;
            int transitions = 0;
            for (int i = 0; i < 200; i++) {
                boolean passed = random.nextDouble() < passRate;
                run = passed == runOfPasses ? run + 1 : 1;
                runOfPasses = passed;
                boolean before = modelUp;
                if (passed && run >= rise) {
                    modelUp = true;
                } else if (!passed && run >= fall) {
                    modelUp = false;
                }

                boolean changed = state.record(passed);

                assertThat(changed).as("trial %s step %s", trial, i).isEqualTo(before != modelUp);
                assertThat(state.isUp()).as("trial %s step %s", trial, i).isEqualTo(modelUp);
                assertThat(state.consecutivePasses()).isEqualTo(passed ? run : 0);
                assertThat(state.consecutiveFailures()).isEqualTo(passed ? 0 : run);
                transitions += changed ? 1 : 0;
            }
            // Transitions alternate from up: an even count ends up, an odd one down.
            assertThat(state.isUp()).isEqualTo(transitions % 2 == 0);
        }
    }

    @Test
    void theCountsSaturateInsteadOfWrappingAround() throws Exception {
        HealthState state = new HealthState(1, 1);
        var field = HealthState.class.getDeclaredField("consecutivePasses");
        field.setAccessible(true);
        field.setInt(state, Integer.MAX_VALUE);

        state.record(true);

        assertThat(state.consecutivePasses()).isEqualTo(Integer.MAX_VALUE);
    }
}
