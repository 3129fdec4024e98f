package dev.fulcrum.balancing.hashing;

import static dev.fulcrum.balancing.hashing.HashingProperties.KEYS;
import static dev.fulcrum.balancing.hashing.HashingProperties.SEED;
import static dev.fulcrum.balancing.hashing.HashingProperties.assignment;
import static dev.fulcrum.balancing.hashing.HashingProperties.counts;
import static dev.fulcrum.balancing.hashing.HashingProperties.flow;
import static dev.fulcrum.balancing.hashing.HashingProperties.keys;
import static dev.fulcrum.balancing.hashing.HashingProperties.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.TestBackends;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The properties every hashing policy keeps: balance, weights, determinism, health and drain,
 * retries, no allocation. A policy's test class extends this one and states its own bounds (taken
 * from docs/balancing-properties.md, which {@link PropertyReport} writes with the same seeds).
 */
public abstract class HashingPolicyContract {

    /** The policy type, as configured. */
    protected abstract String type();

    /** Parameters of the policy under test; none by default. */
    protected Map<String, Object> parameters() {
        return Map.of();
    }

    /** The max/mean keys per backend of {@link HashingProperties#KEYS} keys over n equal backends stays below this. */
    protected abstract double balanceBound(int n);

    /** The largest |share / weight share - 1| with weights 1..10 and {@link HashingProperties#KEYS} keys. */
    protected abstract double weightTolerance();

    protected BalancingPolicy policy(BackendSet backends) {
        return HashingProperties.policy(type(), parameters(), backends);
    }

    protected BalancingPolicy policy(BackendSet backends, Map<String, Object> extra) {
        Map<String, Object> all = new HashMap<>(parameters());
        all.putAll(extra);
        return HashingProperties.policy(type(), all, backends);
    }

    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {3, 10, 100, 1000})
    void keysSpreadEvenlyOverEqualBackends(int n) {
        int[] counts = counts(policy(uniform(n)), keys(SEED, KEYS));
        assertThat(HashingProperties.maxOverMean(counts)).as("max/mean over %d backends", n).isLessThan(balanceBound(n));
    }

    @Test
    void sharesFollowWeights() {
        BackendSet set = TestBackends.backends(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        int[] counts = counts(policy(set), keys(SEED, KEYS));
        assertThat(HashingProperties.worstWeightError(counts, set)).isLessThan(weightTolerance());
    }

    @Test
    void independentlyBuiltPoliciesAgreeOnEveryKey() {
        long[] keys = keys(SEED, 20_000);
        String[] first = assignment(policy(uniform(50)), keys);
        String[] second = assignment(policy(uniform(50)), keys);
        assertThat(second).containsExactly(first);
    }

    @Test
    void neverPicksADrainingBackend() {
        BackendSet set = uniform(10);
        BalancingPolicy policy = policy(set);
        set.get(2).setDraining(true);
        set.get(7).setDraining(true);
        for (long key : keys(SEED, 20_000)) {
            BackendState picked = policy.pick(flow(key));
            assertThat(picked.isDraining()).as("key %d", key).isFalse();
        }
    }

    @Test
    void drainingMovesOnlyTheKeysOfTheDrainingBackend() {
        BackendSet set = uniform(10);
        BalancingPolicy policy = policy(set);
        long[] keys = keys(SEED, 20_000);
        String[] before = assignment(policy, keys);
        set.get(4).setDraining(true);
        String[] after = assignment(policy, keys);
        for (int i = 0; i < keys.length; i++) {
            if (!before[i].equals(TestBackends.name(4))) {
                assertThat(after[i]).isEqualTo(before[i]);
            } else {
                assertThat(after[i]).isNotEqualTo(before[i]);
            }
        }
    }

    @Test
    void neverPicksABackendAtItsConnectionLimit() {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            backends.add(new Backend(TestBackends.name(i), "127.0.0.1", 9000 + i, 1, 2));
        }
        BackendSet set = BackendSet.of(backends);
        BalancingPolicy policy = policy(set);
        int taken = 0;
        for (long key : keys(SEED, 12)) {
            BackendState picked = policy.pick(flow(key));
            assertThat(picked.acceptsNewFlows()).isTrue();
            assertThat(picked.tryAcquire()).isTrue();
            taken++;
        }
        assertThat(taken).isEqualTo(12);
        assertThat(policy.pick(flow(1))).as("every backend at its limit of 2").isNull();
        set.get(3).release();
        assertThat(policy.pick(flow(1))).isSameAs(set.get(3));
    }

    @Test
    void emptyPoolPicksNothing() {
        assertThat(policy(TestBackends.backends()).pick(flow(42))).isNull();
    }

    @Test
    void poolWithEveryBackendDrainingPicksNothing() {
        BackendSet set = uniform(5);
        BalancingPolicy policy = policy(set);
        set.states().forEach(state -> state.setDraining(true));
        assertThat(policy.pick(flow(42))).isNull();
    }

    @Test
    void singleBackendTakesEveryKey() {
        BackendSet set = uniform(1);
        BalancingPolicy policy = policy(set);
        for (long key : keys(SEED, 100)) {
            assertThat(policy.pick(flow(key))).isSameAs(set.get(0));
        }
    }

    @Test
    void retryLandsOnABackendNotTriedBeforeUntilNoneIsLeft() {
        BackendSet set = uniform(7);
        BalancingPolicy policy = policy(set);
        for (long key : keys(SEED, 500)) {
            Flow flow = flow(key);
            Set<String> tried = new HashSet<>();
            for (int attempt = 0; attempt < 7; attempt++) {
                BackendState picked = policy.pick(flow);
                assertThat(picked).as("attempt %d of key %d", attempt, key).isNotNull();
                assertThat(tried.add(picked.backend().name())).as("attempt %d of key %d repeats a backend", attempt, key).isTrue();
                flow.markTried(picked);
            }
            assertThat(policy.pick(flow)).isNull();
        }
    }

    @Test
    void retriesOfOneKeyGoTheSameWayOnEveryInstance() {
        BalancingPolicy first = policy(uniform(20));
        BalancingPolicy second = policy(uniform(20));
        for (long key : keys(SEED, 500)) {
            Flow a = flow(key);
            Flow b = flow(key);
            for (int attempt = 0; attempt < 3; attempt++) {
                BackendState pa = first.pick(a);
                BackendState pb = second.pick(b);
                assertThat(pb.backend().name()).isEqualTo(pa.backend().name());
                a.markTried(pa);
                b.markTried(pb);
            }
        }
    }

    @Test
    void lastUsableBackendIsFoundPastTheProbeLimit() {
        BackendSet set = uniform(60);
        BalancingPolicy policy = policy(set);
        set.states().forEach(state -> state.setDraining(true));
        set.get(37).setDraining(false);
        for (long key : keys(SEED, 200)) {
            assertThat(policy.pick(flow(key))).isSameAs(set.get(37));
        }
    }

    @Test
    void pickAllocatesNothingInSteadyState() {
        BackendSet set = uniform(100);
        BalancingPolicy policy = policy(set);
        set.get(3).setDraining(true);
        Flow[] flows = new Flow[1024];
        long[] keys = keys(SEED, flows.length);
        for (int i = 0; i < flows.length; i++) {
            flows[i] = flow(keys[i]);
            if (i % 4 == 0) {
                flows[i].markTried(set.get(i % 100));
            }
        }
        Runnable picks = () -> {
            for (int round = 0; round < 20; round++) {
                for (Flow flow : flows) {
                    policy.pick(flow);
                }
            }
        };
        picks.run();
        assertThat(HashingProperties.allocatedBytes(picks)).as("bytes allocated by 20480 picks").isLessThan(1024);
    }

    @Test
    void anotherHashFunctionGivesAnotherButEquallyBalancedMapping() {
        long[] keys = keys(SEED, KEYS);
        BalancingPolicy murmur = policy(uniform(10));
        BalancingPolicy xx = policy(uniform(10), Map.of("hash", "xxhash64"));
        assertThat(HashingProperties.movedFraction(assignment(murmur, keys), assignment(xx, keys))).isGreaterThan(0.5);
        assertThat(HashingProperties.maxOverMean(counts(xx, keys))).isLessThan(balanceBound(10));
    }

    @Test
    void unknownParametersAndHashFunctionsAreNamedProblems() {
        Map<String, Object> bad = new HashMap<>(parameters());
        bad.put("hash", "md5");
        bad.put("colour", "blue");
        assertThat(Policies.factory(type()).validate(new PolicyConfig(type(), bad)))
                .anySatisfy(p -> assertThat(p).startsWith("colour: unknown parameter for policy " + type()))
                .contains("hash: md5 (expected one of " + dev.fulcrum.balancing.hash.HashFunctions.names() + ")");
        assertThat(Policies.factory(type()).validate(new PolicyConfig(type(), parameters()))).isEmpty();
    }

    /** Random pools, random drains and limits, random retries: a pick is usable exactly when one exists. */
    @Test
    void randomPoolsNeverYieldAnUnusableBackend() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(40);
            int[] weights = random.ints(n, 1, 5).toArray();
            BackendSet set = TestBackends.backends(weights);
            BalancingPolicy policy = policy(set);
            for (BackendState state : set.states()) {
                state.setDraining(random.nextInt(3) == 0);
            }
            Flow flow = flow(random.nextLong());
            for (int i = random.nextInt(n + 1); i > 0; i--) {
                flow.markTried(set.get(random.nextInt(n)));
            }
            BackendState picked = policy.pick(flow);
            boolean anyUsable = set.states().stream().anyMatch(flow::canUse);
            if (anyUsable) {
                assertThat(picked).as("trial %d", trial).isNotNull();
                assertThat(flow.canUse(picked)).as("trial %d", trial).isTrue();
            } else {
                assertThat(picked).as("trial %d", trial).isNull();
            }
        }
    }
}
