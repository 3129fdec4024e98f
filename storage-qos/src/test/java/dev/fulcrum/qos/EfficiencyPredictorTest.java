package dev.fulcrum.qos;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class EfficiencyPredictorTest {

    @Test
    void predictsThePriorUntilSomethingIsObserved() {
        assertThat(EfficiencyPredictor.mean().apply(0.7).predict()).isEqualTo(0.7);
    }

    @Test
    void meanAndMinLookAtTheLastFiftyObservationsOnly() {
        EfficiencyPredictor mean = EfficiencyPredictor.mean().apply(1);
        EfficiencyPredictor min = EfficiencyPredictor.min().apply(1);
        for (int i = 0; i < 100; i++) {
            mean.observe(i);
            min.observe(i);
        }
        assertThat(mean.predict()).isCloseTo(74.5, Offset.offset(1e-9)); // mean of 50..99
        assertThat(min.predict()).isEqualTo(50);
    }

    @Test
    void emaFollowsAStepFasterThanTheMean() {
        EfficiencyPredictor ema = EfficiencyPredictor.ema(0.3).apply(1);
        EfficiencyPredictor mean = EfficiencyPredictor.mean().apply(1);
        for (int i = 0; i < 40; i++) {
            ema.observe(1);
            mean.observe(1);
        }
        for (int i = 0; i < 5; i++) {
            ema.observe(2);
            mean.observe(2);
        }
        assertThat(ema.predict()).isGreaterThan(1.8).isLessThan(2);
        assertThat(mean.predict()).isLessThan(1.2);
    }

    @Test
    void ignoresNanAndNegativeObservations() {
        EfficiencyPredictor mean = EfficiencyPredictor.mean().apply(3);
        mean.observe(Double.NaN);
        mean.observe(-1);
        assertThat(mean.predict()).isEqualTo(3);
    }
}
