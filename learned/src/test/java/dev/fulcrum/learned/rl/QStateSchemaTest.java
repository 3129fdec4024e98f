package dev.fulcrum.learned.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QStateSchemaTest {

    @Test
    void encodesOwnFlowsReportedFlowsAndPresenceInFixedSlots() {
        QStateSchema schema = new QStateSchema(4, 10);
        float[] out = new float[schema.stateSize()];
        schema.encode(new int[] {5, 0, 20}, new int[] {1, 2, 3}, new boolean[] {true, false, true}, out);
        assertThat(out).containsExactly(
                0.5f, 0f, 2f, 0f, // own / flowScale; slot 1 absent, slot 3 beyond the pool
                0.1f, 0f, 0.3f, 0f, // others / flowScale
                1f, 0f, 1f, 0f); // presence
        boolean[] present = new boolean[4];
        schema.presentOf(out, present);
        assertThat(present).containsExactly(true, false, true, false);
    }

    @Test
    void withoutFeedbackTheOthersBlockIsZero() {
        QStateSchema schema = new QStateSchema(2, 1);
        float[] out = new float[6];
        schema.encode(new int[] {1, 2}, null, new boolean[] {true, true}, out);
        assertThat(out).containsExactly(1f, 2f, 0f, 0f, 1f, 1f);
    }

    @Test
    void badShapesAreRefused() {
        QStateSchema schema = new QStateSchema(2, 1);
        assertThatThrownBy(() -> schema.encode(new int[3], null, new boolean[3], new float[6]))
                .hasMessageContaining("present.length: 3 (expected: <= 2 action slots)");
        assertThatThrownBy(() -> schema.encode(new int[2], null, new boolean[2], new float[5]))
                .hasMessageContaining("out.length: 5 (expected: 6)");
        assertThatThrownBy(() -> new QStateSchema(0, 1)).hasMessageContaining("actionSlots: 0");
        assertThatThrownBy(() -> new QStateSchema(1, Double.NaN)).hasMessageContaining("flowScale: NaN");
        assertThat(QStateSchema.VERSION).isEqualTo("q-state-v1");
    }
}
