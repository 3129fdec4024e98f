package dev.fulcrum.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PASCAL §4.2's three properties of the pressure mapping, over randomised parameters (fixed seeds). */
class PressureMappingPropertyTest {

    private static final int CASES = 2000;

    private static PressureMapping randomMapping(SplittableRandom random) {
        double ideal = 0.01 + 0.98 * random.nextDouble();
        double idealPressure = -10 + 20 * random.nextDouble();
        double stiffness = Math.exp(-3 + 7 * random.nextDouble());
        return PressureMapping.of(ideal, idealPressure, stiffness);
    }

    @Test
    void passesThroughTheIdealPoint() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < CASES; i++) {
            PressureMapping f = randomMapping(random);
            assertThat(f.pressure(f.idealWatermark())).isCloseTo(f.idealPressure(), org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void neverDecreasesAsTheWatermarkRises() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < CASES; i++) {
            PressureMapping f = randomMapping(random);
            double a = random.nextDouble();
            double b = random.nextDouble();
            double lo = Math.min(a, b);
            double hi = Math.max(a, b);
            assertThat(f.pressure(hi)).as("f(%s) vs f(%s)", hi, lo).isGreaterThanOrEqualTo(f.pressure(lo));
            // Out-of-range watermarks keep the order too (clamped below 0, infinite at and past 1).
            assertThat(f.pressure(-a)).isLessThanOrEqualTo(f.pressure(lo));
            assertThat(f.pressure(1 + a)).isGreaterThanOrEqualTo(f.pressure(hi));
        }
    }

    @Test
    void growsWithoutBoundAsTheWatermarkApproachesOne() {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < CASES; i++) {
            PressureMapping f = randomMapping(random);
            double bound = Math.exp(30 * random.nextDouble());
            double w = 1 - 1e-3;
            while (f.pressure(w) <= bound) {
                w = 1 - (1 - w) / 10;
                assertThat(w).as("a watermark under 1 with pressure over %s", bound).isLessThan(1);
            }
            assertThat(f.pressure(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
        }
    }

    @Test
    void refusesAnIdealWatermarkOutsideTheOpenUnitInterval() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PressureMapping.of(1.0, 0, 1))
                .hasMessageContaining("ideal watermark: 1.0 (expected: in (0, 1))");
    }
}
