package dev.fulcrum.metrics.feature;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackendFeaturesTest {

    private static TelemetryInterval interval(IntervalRecorder recorder, long flows, double... fcts) {
        long token = recorder.enter();
        try {
            recorder.active().count(FeatureSchema.N_F, flows);
            for (double fct : fcts) {
                recorder.active().sample(FeatureSchema.FCT, fct);
            }
        } finally {
            recorder.exit(token);
        }
        return recorder.swapInterval();
    }

    @Test
    void schemaV1HasTheAquariusFeaturesFirstAndFiveScalarsPerChannel() {
        assertThat(FeatureSchema.COUNTERS.subList(0, 8)).containsExactly("n_p", "n_f", "n_fct", "n_cls", "n_norm", "n_dpk", "n_ooo", "n_rtr");
        assertThat(FeatureSchema.CHANNELS.subList(0, 13)).containsExactly("byte_p", "byte_f", "byte_f_on", "win", "d_win", "lat_sa",
                "tau", "fct", "pt_1st", "pt_gen", "iat_f", "iat_p", "iat_ppf");
        assertThat(FeatureSchema.width()).isEqualTo(FeatureSchema.COUNTERS.size() + 5 * FeatureSchema.CHANNELS.size());
        assertThat(FeatureSchema.columns().get(FeatureSchema.column(FeatureSchema.FCT, 1))).isEqualTo("fct.p90");
        assertThat(FeatureSchema.columns()).doesNotHaveDuplicates();
    }

    @Test
    void loopsAreMergedAndTheMovingAveragesCarryAcrossTicks() {
        BackendFeatures features = new BackendFeatures("web", "a", 0.5, true);
        IntervalRecorder loop1 = new IntervalRecorder(128, 1);
        IntervalRecorder loop2 = new IntervalRecorder(128, 2);
        FeatureVector first = features.reduce(List.of(interval(loop1, 2, 1.0, 3.0), interval(loop2, 1, 2.0)), 4, 1000, 250);
        assertThat(first.value("n_f")).isEqualTo(3);
        assertThat(first.value("n_open")).isEqualTo(4);
        assertThat(first.value("fct.mean")).isEqualTo(2.0);
        assertThat(first.value("fct.p90")).isEqualTo(3.0);
        assertThat(first.value("fct.ema_mean")).isEqualTo(2.0);
        FeatureVector second = features.reduce(List.of(interval(loop1, 0, 4.0), interval(loop2, 0)), 0, 1250, 250);
        assertThat(second.value("fct.mean")).isEqualTo(4.0);
        assertThat(second.value("fct.ema_mean")).isEqualTo(3.0);
        // A tick without samples: 0 for the tick's scalars, the averages keep their value.
        FeatureVector third = features.reduce(List.of(interval(loop1, 0), interval(loop2, 0)), 0, 1500, 250);
        assertThat(third.value("fct.mean")).isZero();
        assertThat(third.value("fct.ema_mean")).isEqualTo(3.0);
        assertThat(third.value("rtt.mean")).isZero();
    }

    @Test
    void withoutTcpInfoItsFeaturesAreAbsentNotZero() {
        BackendFeatures features = new BackendFeatures("web", "a", 0.9, false);
        FeatureVector vector = features.reduce(List.of(interval(new IntervalRecorder(8, 1), 1, 0.5)), 0, 0, 250);
        for (int counter : FeatureSchema.TCP_INFO_COUNTERS) {
            assertThat(vector.values()[counter]).isNaN();
        }
        for (int channel : FeatureSchema.TCP_INFO_CHANNELS) {
            for (int s = 0; s < 5; s++) {
                assertThat(vector.values()[FeatureSchema.column(channel, s)]).isNaN();
            }
        }
        assertThat(vector.value("fct.mean")).isEqualTo(0.5);
        assertThat(vector.value("n_f")).isEqualTo(1);
    }
}
