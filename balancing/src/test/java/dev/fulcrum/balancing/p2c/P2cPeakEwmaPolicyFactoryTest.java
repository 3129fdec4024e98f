package dev.fulcrum.balancing.p2c;

import static dev.fulcrum.balancing.TestBackends.backends;
import static dev.fulcrum.balancing.TestBackends.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class P2cPeakEwmaPolicyFactoryTest {

    private static final String TYPE = "p2c-peak-ewma";
    private final PolicyFactory factory = Policies.factory(TYPE);

    private List<String> problems(Map<String, Object> parameters) {
        return factory.validate(new PolicyConfig(TYPE, parameters));
    }

    @Test
    void isFoundByItsTypeAndDefaultsNeedNoParameters() {
        assertThat(factory).isInstanceOf(P2cPeakEwmaPolicyFactory.class);
        assertThat(problems(Map.of())).isEmpty();
        BackendSet set = backends(1, 1);
        BalancingPolicy policy = Policies.create(set, PolicyConfig.of(TYPE), null);
        assertThat(policy.pick(flow())).isNotNull();
        assertThat(set.get(0).latencyDecayNanos()).as("decay 10s").isEqualTo(10_000_000_000L);
    }

    @Test
    void decayIsSetOnTheBackendsItIsBuiltOver() {
        BackendSet set = backends(1, 1);
        Policies.create(set, new PolicyConfig(TYPE, Map.of("decay", "1.5s", "penalty", "250ms")), null);
        assertThat(set.states()).allSatisfy(s -> assertThat(s.latencyDecayNanos()).isEqualTo(1_500_000_000L));
    }

    @Test
    void aBareNumberIsRefusedAsEveryDurationOfTheFileIs() {
        assertThat(problems(Map.of("decay", 30))).containsExactly("decay: 30 (expected: a duration with a unit, e.g. 30s)");
        assertThat(problems(Map.of("penalty", 2.5))).containsExactly("penalty: 2.5 (expected: a duration with a unit, e.g. 2.5s)");
        assertThat(problems(Map.of("decay", 0))).containsExactly("decay: 0 (expected: a duration from 100ms to 5m)");
    }

    @Test
    void durationsOutOfRangeNameTheRange() {
        assertThat(problems(Map.of("decay", "50ms"))).containsExactly("decay: \"50ms\" (expected: a duration from 100ms to 5m)");
        assertThat(problems(Map.of("decay", "6m"))).containsExactly("decay: \"6m\" (expected: a duration from 100ms to 5m)");
        assertThat(problems(Map.of("penalty", "2h"))).containsExactly("penalty: \"2h\" (expected: a duration from 1ms to 1h)");
        assertThat(problems(Map.of("decay", "100ms", "penalty", "1h"))).as("bounds are included").isEmpty();
    }

    @Test
    void malformedDurationsSayWhatADurationLooksLike() {
        assertThat(problems(Map.of("decay", "10 sec"))).containsExactly(
                "decay: \"10 sec\" (expected: a duration such as 250ms, 2s, 5m or 1h)");
        assertThat(problems(Map.of("penalty", "0.5ms"))).containsExactly(
                "penalty: \"0.5ms\" (expected: a whole number of milliseconds, e.g. 250ms)");
        assertThat(problems(Map.of("penalty", true))).containsExactly(
                "penalty: true (expected: a duration such as 250ms, 2s, 5m or 1h)");
        assertThat(problems(Map.of("decay", List.of("10s")))).containsExactly(
                "decay: a list (expected: a duration such as 250ms, 2s, 5m or 1h)");
    }

    @Test
    void unknownParametersAreNamedWithTheKnownOnes() {
        assertThat(problems(Map.of("tau", "10s", "decay", "1s"))).containsExactly(
                "tau: unknown parameter for policy p2c-peak-ewma (expected one of [decay, penalty])");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThat(problems(Map.of("decay", "1d", "penalty", 5))).containsExactly(
                "decay: \"1d\" (expected: a duration such as 250ms, 2s, 5m or 1h)",
                "penalty: 5 (expected: a duration with a unit, e.g. 5s)");
    }

    @Test
    void creatingWithWrongParametersFailsWithTheProblems() {
        assertThatThrownBy(() -> Policies.create(backends(1), new PolicyConfig(TYPE, Map.of("decay", "1m1s")), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy p2c-peak-ewma: decay: \"1m1s\" (expected: a duration such as 250ms, 2s, 5m or 1h)");
        assertThatThrownBy(() -> factory.create(backends(1), new PolicyConfig(TYPE, Map.of("penalty", "0s")), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy p2c-peak-ewma: penalty: \"0s\" (expected: a duration from 1ms to 1h)");
    }
}
