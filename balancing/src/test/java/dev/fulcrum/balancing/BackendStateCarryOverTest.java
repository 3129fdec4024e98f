package dev.fulcrum.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reload builds new states for the backends that stay; their live state must go with them. */
class BackendStateCarryOverTest {

    private static final Backend A = new Backend("a", "127.0.0.1", 9000, 1, 2);

    @Test
    void aBackendThatStaysSharesItsCountsWithFlowsOpenOnItsOldState() {
        BackendSet before = BackendSet.of(List.of(A, new Backend("b", "127.0.0.1", 9001, 1, 0)));
        BackendState oldA = before.byName("a");
        assertThat(oldA.tryAcquire()).isTrue();
        oldA.setDraining(true);
        oldA.setHealthy(false);
        oldA.recordLatency(5_000_000, 1_000);

        BackendSet after = BackendSet.carryingOver(List.of(new Backend("c", "127.0.0.1", 9002, 1, 0),
                new Backend("a", "127.0.0.1", 9000, 7, 2)), before);

        BackendState newA = after.byName("a");
        assertThat(newA).isNotSameAs(oldA);
        assertThat(newA.index()).isEqualTo(1);
        assertThat(newA.weight()).isEqualTo(7);
        assertThat(newA.activeFlows()).isEqualTo(1);
        assertThat(newA.isDraining()).isTrue();
        assertThat(newA.isHealthy()).isFalse();
        assertThat(newA.latencyEstimateNanos(1_000)).isEqualTo(oldA.latencyEstimateNanos(1_000)).isPositive();
        assertThat(newA.sharesLiveStateWith(oldA)).isTrue();
        assertThat(after.byName("c").sharesLiveStateWith(oldA)).isFalse();

        assertThat(newA.tryAcquire()).isTrue();
        assertThat(newA.tryAcquire()).as("the limit counts the flow opened before the reload").isFalse();
        oldA.release(); // the old flow ends after the reload
        assertThat(newA.activeFlows()).isEqualTo(1);
        assertThat(newA.tryAcquire()).isTrue();
    }

    @Test
    void aBackendWhoseAddressChangedStartsFresh() {
        BackendSet before = BackendSet.of(List.of(A));
        before.byName("a").tryAcquire();

        BackendSet after = BackendSet.carryingOver(List.of(new Backend("a", "127.0.0.1", 9100, 1, 2)), before);

        assertThat(after.byName("a").activeFlows()).isZero();
        assertThat(after.byName("a").sharesLiveStateWith(before.byName("a"))).isFalse();
    }

    /**
     * Every field of a state is either identity (backend, index), shared (a final holder of live
     * counts) or copied. A field added later without being carried over fails here.
     */
    @Test
    void everyFieldIsSharedOrCopied() throws Exception {
        BackendState old = BackendSet.of(List.of(A)).get(0);
        for (Field field : BackendState.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.getName().equals("backend") || field.getName().equals("index")) {
                continue;
            }
            field.setAccessible(true);
            if (!Modifier.isFinal(field.getModifiers())) {
                field.set(old, notDefault(field));
            }
        }
        BackendState carried = new BackendState(A, 0, old);
        for (Field field : BackendState.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.getName().equals("backend") || field.getName().equals("index")) {
                continue;
            }
            field.setAccessible(true);
            if (Modifier.isFinal(field.getModifiers()) && !field.getType().isPrimitive()) {
                assertThat(field.get(carried)).as("field %s is shared", field.getName()).isSameAs(field.get(old));
            } else {
                assertThat(field.get(carried)).as("field %s is copied", field.getName()).isEqualTo(field.get(old));
            }
        }
    }

    private static Object defaultOf(Field field) {
        try {
            field.setAccessible(true);
            return field.get(BackendSet.of(List.of(A)).get(0));
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static Object notDefault(Field field) {
        Class<?> type = field.getType();
        if (type == boolean.class) {
            return !((Boolean) defaultOf(field));
        }
        if (type == long.class) {
            return 123_456_789L;
        }
        if (type == int.class) {
            return 12_345;
        }
        if (type == double.class) {
            return 0.125;
        }
        if (type == SlowStart.class) {
            return new SlowStart(1_000_000_000L, 1.0, 0.1, System::nanoTime);
        }
        throw new AssertionError("field " + field.getName() + " of type " + type
                + ": teach this test a non-default value for it, and carry it over in BackendState's reload constructor");
    }
}
