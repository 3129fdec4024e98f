package dev.fulcrum.balancing.boundedload;

import static dev.fulcrum.balancing.hashing.HashingProperties.SEED;
import static dev.fulcrum.balancing.hashing.HashingProperties.flow;
import static dev.fulcrum.balancing.hashing.HashingProperties.keys;
import static dev.fulcrum.balancing.hashing.HashingProperties.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.TestBackends;
import dev.fulcrum.balancing.hash.HashFunctions;
import dev.fulcrum.balancing.hashing.HashRing;
import dev.fulcrum.balancing.hashing.HashingPolicy;
import dev.fulcrum.balancing.hashing.HashingProperties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bounded-load decorator over each table that offers it. */
class BoundedLoadTest {

    private static final double C = 1.25;

    private static BalancingPolicy bounded(String type, BackendSet set) {
        return HashingProperties.policy(type, Map.of("boundedLoad", C), set);
    }

    private static BalancingPolicy unbounded(String type, BackendSet set) {
        return HashingProperties.policy(type, Map.of(), set);
    }

    private static long totalActive(BackendSet set) {
        return set.states().stream().mapToLong(BackendState::activeFlows).sum();
    }

    private static long totalWeight(BackendSet set) {
        return set.states().stream().mapToLong(BackendState::weight).sum();
    }

    /** Hot keys held open: without the bound one backend takes far more than its share. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ring-hash", "maglev"})
    void noBackendEverHoldsMoreThanCeilOfCTimesTheMean(String type) {
        BackendSet set = uniform(10);
        BalancingPolicy policy = bounded(type, set);
        long[] keys = HashingProperties.zipfKeys(SEED, 20_000, 1_000, 1.1);
        for (long key : keys) {
            BackendState picked = policy.pick(flow(key));
            assertThat(picked.tryAcquire()).isTrue();
            long total = totalActive(set);
            assertThat((double) picked.activeFlows()).as("after %d flows", total).isLessThanOrEqualTo(Math.ceil(C * total / 10));
        }

        BackendSet free = uniform(10);
        BalancingPolicy plain = unbounded(type, free);
        for (long key : keys) {
            plain.pick(flow(key)).tryAcquire();
        }
        int unboundedMax = free.states().stream().mapToInt(BackendState::activeFlows).max().getAsInt();
        assertThat(unboundedMax).as("the same keys without the bound").isGreaterThan((int) Math.ceil(C * keys.length / 10));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ring-hash", "maglev"})
    void weightedBoundScalesWithEachBackendsWeightShare(String type) {
        BackendSet set = TestBackends.backends(1, 2, 3, 4, 5);
        BalancingPolicy policy = bounded(type, set);
        for (long key : HashingProperties.zipfKeys(SEED, 15_000, 500, 1.1)) {
            BackendState picked = policy.pick(flow(key));
            picked.tryAcquire();
            double bound = Math.ceil(C * totalActive(set) * picked.weight() / totalWeight(set));
            assertThat((double) picked.activeFlows()).isLessThanOrEqualTo(bound);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ring-hash", "maglev"})
    void withoutLoadEveryKeyKeepsItsOwnBackend(String type) {
        long[] keys = keys(SEED, 20_000);
        assertThat(HashingProperties.assignment(bounded(type, uniform(20)), keys))
                .containsExactly(HashingProperties.assignment(unbounded(type, uniform(20)), keys));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ring-hash", "maglev"})
    void keysKeepTheirBackendWhileItIsUnderTheBoundAndOtherwiseWalkToTheFirstUnderIt(String type) {
        SplittableRandom random = new SplittableRandom(SEED);
        BackendSet set = uniform(12);
        for (BackendState state : set.states()) {
            for (int i = random.nextInt(200); i > 0; i--) {
                state.tryAcquire();
            }
        }
        BalancingPolicy policy = bounded(type, set);
        HashingPolicy plain = (HashingPolicy) unbounded(type, set);
        HashRing ring = plain.ring();
        double boundPerWeight = C * (totalActive(set) + 1) / totalWeight(set);
        int kept = 0;
        int walked = 0;
        for (long key : keys(SEED, 5_000)) {
            BackendState home = plain.pick(flow(key));
            BackendState picked = policy.pick(flow(key));
            if (BoundedLoadPolicy.underBound(home, boundPerWeight)) {
                assertThat(picked).isSameAs(home);
                kept++;
            } else {
                long hashed = HashFunctions.MURMUR3.hashLong(key);
                int cursor = ring.first(hashed);
                while (!BoundedLoadPolicy.underBound(ring.at(hashed, cursor), boundPerWeight)) {
                    cursor = ring.next(hashed, cursor);
                }
                assertThat(picked).isSameAs(ring.at(hashed, cursor));
                walked++;
            }
        }
        assertThat(kept).isPositive();
        assertThat(walked).as("some backends are over the bound").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ring-hash", "maglev"})
    void drainingBackendsTakeNoFlowAndDoNotCountTowardsTheBound(String type) {
        BackendSet set = uniform(4);
        for (int i = 0; i < 1_000; i++) {
            set.get(0).tryAcquire(); // a draining backend's flows, leaving
        }
        set.get(0).setDraining(true);
        BalancingPolicy policy = bounded(type, set);
        for (long key : keys(SEED, 3_000)) {
            BackendState picked = policy.pick(flow(key));
            assertThat(picked.index()).isNotZero();
            picked.tryAcquire();
            long live = totalActive(set) - set.get(0).activeFlows();
            assertThat((double) picked.activeFlows()).isLessThanOrEqualTo(Math.ceil(C * live / 3));
        }
        set.states().forEach(state -> state.setDraining(true));
        assertThat(policy.pick(flow(1))).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ring-hash", "maglev"})
    void retryLandsOnAnotherBackendAndEmptyPoolPicksNothing(String type) {
        BackendSet set = uniform(5);
        BalancingPolicy policy = bounded(type, set);
        for (long key : keys(SEED, 300)) {
            Flow flow = flow(key);
            BackendState first = policy.pick(flow);
            flow.markTried(first);
            assertThat(policy.pick(flow)).isNotNull().isNotSameAs(first);
        }
        assertThat(bounded(type, TestBackends.backends()).pick(flow(1))).isNull();
    }

    @Test
    void whenEveryUsableBackendIsOverTheBoundTheLeastLoadedTakesTheFlow() {
        BackendSet set = uniform(3);
        for (int i = 0; i < 100; i++) {
            set.get(0).tryAcquire();
        }
        for (int i = 0; i < 95; i++) {
            set.get(2).tryAcquire();
        }
        // 195 flows: the bound is ceil(1.25 x 196 / 3) = 82. b is under it but tried; a and c are over it.
        Flow flow = flow(7);
        flow.markTried(set.get(1));
        assertThat(bounded("maglev", set).pick(flow)).isSameAs(set.get(2));
        assertThat(bounded("ring-hash", set).pick(flow)).isSameAs(set.get(2));
    }

    @Test
    void pickAllocatesNothingInSteadyState() {
        for (String type : List.of("ring-hash", "maglev")) {
            BackendSet set = uniform(100);
            SplittableRandom random = new SplittableRandom(SEED);
            for (BackendState state : set.states()) {
                for (int i = random.nextInt(300); i > 0; i--) {
                    state.tryAcquire();
                }
            }
            BalancingPolicy policy = bounded(type, set);
            Flow[] flows = new Flow[1024];
            long[] keys = keys(SEED, flows.length);
            for (int i = 0; i < flows.length; i++) {
                flows[i] = flow(keys[i]);
            }
            Runnable picks = () -> {
                for (int round = 0; round < 20; round++) {
                    for (Flow flow : flows) {
                        policy.pick(flow);
                    }
                }
            };
            picks.run();
            assertThat(HashingProperties.allocatedBytes(picks)).as(type).isLessThan(1024);
        }
    }

    @Test
    void factorMustExceedOneAndAPercentageIsRecognised() {
        assertThat(validate(1.25)).isEmpty();
        assertThat(validate(2)).isEmpty();
        assertThat(validate(10L)).isEmpty();
        assertThat(validate(1.0)).containsExactly("boundedLoad: 1.0 (expected: a factor > 1 and <= 10, e.g. 1.25)");
        assertThat(validate(0.5)).containsExactly("boundedLoad: 0.5 (expected: a factor > 1 and <= 10, e.g. 1.25)");
        assertThat(validate(125)).containsExactly(
                "boundedLoad: 125 (expected: a factor > 1 and <= 10, e.g. 1.25; Envoy's hash_balance_factor 125 is a percentage, 1.25 here)");
        assertThat(validate("1.25")).containsExactly("boundedLoad: 1.25 (expected: a factor > 1 and <= 10, e.g. 1.25)");
        assertThat(validate(true)).containsExactly("boundedLoad: true (expected: a factor > 1 and <= 10, e.g. 1.25)");
        assertThat(validate(Double.NaN)).containsExactly("boundedLoad: NaN (expected: a factor > 1 and <= 10, e.g. 1.25)");
    }

    @Test
    void absentFactorMeansThePlainHashingPolicy() {
        assertThat(Policies.create(uniform(3), PolicyConfig.of("maglev"), null)).isInstanceOf(HashingPolicy.class);
        assertThat(Policies.create(uniform(3), new PolicyConfig("ring-hash", Map.of("boundedLoad", 1.5)), null))
                .isInstanceOfSatisfying(BoundedLoadPolicy.class, p -> assertThat(p.factor()).isEqualTo(1.5));
    }

    private static List<String> validate(Object factor) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("boundedLoad", factor);
        return Policies.factory("maglev").validate(new PolicyConfig("maglev", parameters));
    }
}
