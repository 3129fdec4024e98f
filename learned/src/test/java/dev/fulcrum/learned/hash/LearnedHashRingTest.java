package dev.fulcrum.learned.hash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnedHashRingTest {

    private static List<Backend> backends(int n) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        return list;
    }

    private static String owner(LearnedHashRing ring, double position) {
        return ring.at(0, ring.first(LearnedHashFunction.scaled(position))).backend().name();
    }

    @Test
    void aFreshPoolIsSpreadEvenlyInConfigurationOrder() {
        LearnedHashRing ring = LearnedHashRing.place(BackendSet.of(backends(4)), null);
        assertThat(ring.arcShares()).allSatisfy((name, share) -> assertThat(share).isCloseTo(0.25, org.assertj.core.api.Assertions.within(1e-12)));
        assertThat(owner(ring, 0.0)).isEqualTo("b0");
        assertThat(owner(ring, 0.3)).isEqualTo("b1");
        assertThat(owner(ring, 0.99)).isEqualTo("b3");
    }

    @Test
    void aRemovedServersRangeGoesClockwiseAndNothingElseMoves() {
        LearnedHashRing before = LearnedHashRing.place(BackendSet.of(backends(8)), null);
        List<Backend> fewer = backends(8);
        fewer.remove(3);
        LearnedHashRing after = LearnedHashRing.place(BackendSet.of(fewer), before);
        for (int i = 0; i < 10_000; i++) {
            double position = i / 10_000.0;
            String was = owner(before, position);
            assertThat(owner(after, position)).isEqualTo(was.equals("b3") ? "b4" : was);
        }
    }

    @Test
    void aNewServerSplitsTheLargestArc() {
        LearnedHashRing before = LearnedHashRing.place(BackendSet.of(backends(4)), null);
        List<Backend> fewer = backends(4);
        fewer.remove(1); // b2's arc is now (0, 0.75]... b0 (0, .25], b2 (.25, .75], b3 (.75, 1]
        LearnedHashRing middle = LearnedHashRing.place(BackendSet.of(fewer), before);
        List<Backend> more = new ArrayList<>(fewer);
        more.add(new Backend("new", "127.0.0.1", 9100, 1, 0));
        LearnedHashRing after = LearnedHashRing.place(BackendSet.of(more), middle);
        Map<String, Double> shares = after.arcShares();
        assertThat(shares.get("new")).isCloseTo(0.25, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(shares.get("b2")).isCloseTo(0.25, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(owner(after, 0.3)).isEqualTo("new");
        assertThat(owner(after, 0.6)).isEqualTo("b2");
        assertThat(owner(after, 0.9)).isEqualTo("b3");
    }

    @Test
    void weightsSizeTheArcsOfAFreshPool() {
        List<Backend> list = List.of(new Backend("big", "127.0.0.1", 1, 3, 0), new Backend("small", "127.0.0.1", 2, 1, 0));
        assertThat(LearnedHashRing.place(BackendSet.of(list), null).arcShares().get("big"))
                .isCloseTo(0.75, org.assertj.core.api.Assertions.within(1e-12));
    }
}
