package dev.fulcrum.balancing.p2c;

import static dev.fulcrum.balancing.TestBackends.backends;
import static dev.fulcrum.balancing.TestBackends.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.PolicyConfig;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class P2cPeakEwmaTest {

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    /** A clock the test moves. */
    static final class ManualClock implements LongSupplier {
        long now = 1_000 * S;

        @Override
        public long getAsLong() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();

    private P2cPeakEwma policy(BackendSet set, LongSupplier random) {
        return policy(set, random, Map.of());
    }

    private P2cPeakEwma policy(BackendSet set, LongSupplier random, Map<String, Object> parameters) {
        return (P2cPeakEwma) new P2cPeakEwmaPolicyFactory(random, clock)
                .create(set, new PolicyConfig(P2cPeakEwmaPolicyFactory.TYPE, parameters), null);
    }

    private static LongSupplier seeded(long seed) {
        return new SplittableRandom(seed)::nextLong;
    }

    /** Random values that make the policy draw exactly these indexes, each from its bound. */
    private static LongSupplier draws(int[]... indexAndBound) {
        ArrayDeque<Long> values = new ArrayDeque<>();
        for (int[] d : indexAndBound) {
            long high = (((long) d[0] << 32) + d[1] - 1) / d[1]; // ceil(index * 2^32 / bound)
            values.add(high << 32);
        }
        return values::removeFirst;
    }

    private void sample(BackendState backend, long latency) {
        backend.recordLatency(latency, clock.now);
    }

    @Test
    void picksTheCheaperOfTheTwoDrawn() {
        BackendSet set = backends(1, 1, 1);
        sample(set.get(0), 1 * MS);
        sample(set.get(1), 2 * MS);
        sample(set.get(2), 3 * MS);
        // The second draw is among the two others: index 1 of {a, b} skipping c is b.
        assertThat(policy(set, draws(new int[] {2, 3}, new int[] {1, 2})).pick(flow()).backend().name()).isEqualTo("b");
        assertThat(policy(set, draws(new int[] {2, 3}, new int[] {0, 2})).pick(flow()).backend().name()).isEqualTo("a");
        assertThat(policy(set, draws(new int[] {0, 3}, new int[] {0, 2})).pick(flow()).backend().name()).isEqualTo("a");
        assertThat(policy(set, draws(new int[] {1, 3}, new int[] {1, 2})).pick(flow()).backend().name())
                .as("b against c").isEqualTo("b");
    }

    @Test
    void sharesFollowCostRanksAsTwoRandomChoicesPredict() {
        // Each backend wins against every costlier one: the k-th cheapest of n is picked with
        // probability 2 (n - 1 - k) / (n (n - 1)); the costliest never.
        BackendSet set = backends(1, 1, 1, 1);
        long[] latencies = {3 * MS, 1 * MS, 4 * MS, 2 * MS}; // ranks 2, 0, 3, 1
        for (int i = 0; i < 4; i++) {
            sample(set.get(i), latencies[i]);
        }
        P2cPeakEwma policy = policy(set, seeded(21));
        int[] counts = new int[4];
        int picks = 100_000;
        for (int i = 0; i < picks; i++) {
            counts[policy.pick(flow()).index()]++;
        }
        assertThat((double) counts[1] / picks).isCloseTo(3 / 6.0, offset(0.01));
        assertThat((double) counts[3] / picks).isCloseTo(2 / 6.0, offset(0.01));
        assertThat((double) counts[0] / picks).isCloseTo(1 / 6.0, offset(0.01));
        assertThat(counts[2]).isZero();
    }

    @Test
    void costIsLatencyTimesOpenFlowsPlusOneOverWeight() {
        BackendSet set = backends(1, 4);
        P2cPeakEwma policy = policy(set, seeded(22));
        sample(set.get(0), 2 * MS);
        sample(set.get(1), 2 * MS);
        set.get(0).tryAcquire();
        set.get(0).tryAcquire();
        for (int i = 0; i < 3; i++) {
            set.get(1).tryAcquire();
        }
        assertThat(policy.cost(set.get(0), clock.now)).isCloseTo(2 * MS * 3.0, offset(2 * MS * 1e-6));
        assertThat(policy.cost(set.get(1), clock.now)).isCloseTo(2 * MS * 4.0 / 4, offset(2 * MS * 1e-6));
        assertThat(policy.pick(flow()).backend().name()).isEqualTo("b");
    }

    @Test
    void aLatencySpikeIsAvoidedAtOnceAndForgivenAsTheEstimateDecays() {
        BackendSet set = backends(1, 1);
        BackendState a = set.get(0);
        BackendState b = set.get(1);
        P2cPeakEwma policy = policy(set, seeded(23)); // decay 10 s
        sample(a, MS);
        sample(b, MS);
        clock.now += S;
        sample(b, 100 * MS); // one slow connect
        long spike = clock.now;
        long firstPickOfBAfterSpike = -1;
        // A pick every 10 ms; whoever is picked answers in its normal 1 ms again.
        while (clock.now < spike + 300 * S) {
            clock.now += 10 * MS;
            BackendState picked = policy.pick(flow());
            sample(picked, MS);
            if (picked == b && firstPickOfBAfterSpike < 0) {
                firstPickOfBAfterSpike = clock.now - spike;
            }
        }
        // Its estimate, 100 ms * exp(-t / 10 s), falls under a's 1 ms after 10 s * ln 100 = 46 s.
        assertThat(firstPickOfBAfterSpike).isBetween(45 * S, 48 * S);
        assertThat(b.latencyEstimateNanos(clock.now)).as("its normal samples pulled the estimate back")
                .isCloseTo(MS, offset(0.1 * MS));
    }

    @Test
    void anUnknownBackendIsProbedOnceThenPenalisedUntilItsFirstSample() {
        BackendSet set = backends(1, 1);
        BackendState known = set.get(0);
        BackendState unknown = set.get(1);
        sample(known, MS);
        P2cPeakEwma policy = policy(set, seeded(24));
        assertThat(policy.pick(flow())).as("no sample and no open flow: cost 0, a probe").isSameAs(unknown);
        unknown.tryAcquire(); // the probe's connect is under way
        assertThat(policy.cost(unknown, clock.now)).as("the default penalty, 1 s, times (1 + 1)").isEqualTo(2e9);
        for (int i = 0; i < 100; i++) {
            assertThat(policy.pick(flow())).isSameAs(known);
        }
        sample(unknown, 200_000); // connected in 200 us: 0.2 ms * 2 open < 1 ms * 1
        assertThat(policy.pick(flow())).isSameAs(unknown);
    }

    @Test
    void penaltyIsTheLatencyAssumedForAnUnknownBackendWithOpenFlows() {
        BackendSet set = backends(1, 1);
        sample(set.get(0), 5 * S); // very slow: 5 s
        set.get(1).tryAcquire();   // unknown, one flow connecting: 1 s * 2 = 2 s < 5 s
        assertThat(policy(set, seeded(25)).pick(flow()).backend().name()).isEqualTo("b");
        assertThat(policy(set, seeded(25), Map.of("penalty", "10s")).pick(flow()).backend().name())
                .as("10 s * 2 = 20 s > 5 s").isEqualTo("a");
    }

    @Test
    void theFasterBackendGetsMostFlowsWhenFlowsAreHeld() {
        // Flows arrive every 0.5 ms; a connect takes a backend's latency and the flow then stays
        // open ten times as long, as a slower server holds its requests longer.
        BackendSet set = backends(1, 1);
        long[] latency = {MS, 5 * MS};
        P2cPeakEwma policy = policy(set, seeded(26));
        PriorityQueue<long[]> events = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0])); // {time, backend, kind}
        int[] picks = new int[2];
        long end = clock.now + 20 * S;
        for (long arrival = clock.now; arrival < end; arrival += MS / 2) {
            while (!events.isEmpty() && events.peek()[0] <= arrival) {
                long[] event = events.poll();
                clock.now = event[0];
                BackendState backend = set.get((int) event[1]);
                if (event[2] == 0) {
                    backend.recordLatency(latency[(int) event[1]], clock.now); // connected
                } else {
                    backend.release(); // flow ended
                }
            }
            clock.now = arrival;
            BackendState picked = policy.pick(flow());
            assertThat(picked.tryAcquire()).isTrue();
            picks[picked.index()]++;
            events.add(new long[] {arrival + latency[picked.index()], picked.index(), 0});
            events.add(new long[] {arrival + 10 * latency[picked.index()], picked.index(), 1});
        }
        double fastShare = (double) picks[0] / (picks[0] + picks[1]);
        // At equilibrium 1 ms * (open + 1) on a and 5 ms * (open + 1) on b balance near 97% / 3%.
        assertThat(fastShare).isGreaterThan(0.9);
        assertThat(picks[1]).as("the slow backend still gets the flows that make it the cheaper one").isPositive();
    }

    @Test
    void neverPicksAnUnusableBackend() {
        SplittableRandom random = new SplittableRandom(27);
        for (int trial = 0; trial < 2_000; trial++) {
            int n = 1 + random.nextInt(12);
            BackendSet set = backends(random.ints(n, 1, 5).toArray());
            Flow flow = flow();
            for (BackendState state : set.states()) {
                switch (random.nextInt(4)) {
                    case 0 -> state.setDraining(true);
                    case 1 -> flow.markTried(state);
                    case 2 -> state.recordLatency(1 + random.nextInt(10_000_000), clock.now);
                    default -> { }
                }
            }
            boolean anyUsable = set.states().stream().anyMatch(flow::canUse);
            BackendState picked = policy(set, seeded(trial)).pick(flow);
            if (anyUsable) {
                assertThat(picked).as("trial %d", trial).isNotNull();
                assertThat(flow.canUse(picked)).as("trial %d", trial).isTrue();
            } else {
                assertThat(picked).as("trial %d", trial).isNull();
            }
        }
    }

    @Test
    void whenDrawsKeepMissingAScanStillFindsTheOnlyUsableBackend() {
        int[] weights = new int[200];
        java.util.Arrays.fill(weights, 1);
        BackendSet set = backends(weights);
        Flow retry = flow();
        for (int i = 0; i < 200; i++) {
            if (i != 137) {
                retry.markTried(set.get(i));
            }
        }
        P2cPeakEwma policy = policy(set, seeded(28));
        for (int i = 0; i < 100; i++) {
            assertThat(policy.pick(retry).index()).isEqualTo(137);
        }
    }

    @Test
    void retryAvoidsTheBackendItTried() {
        BackendSet set = backends(1, 1, 1);
        sample(set.get(0), 100_000);
        sample(set.get(1), 5 * MS);
        sample(set.get(2), 9 * MS);
        Flow retry = flow();
        retry.markTried(set.get(0)); // the cheapest, but its connect failed
        P2cPeakEwma policy = policy(set, seeded(29));
        for (int i = 0; i < 1_000; i++) {
            assertThat(policy.pick(retry).backend().name()).isEqualTo("b");
        }
    }

    @Test
    void emptyAndSingleBackendSets() {
        assertThat(policy(backends(), seeded(30)).pick(flow())).isNull();
        BackendSet one = backends(1);
        BalancingPolicy policy = policy(one, seeded(31));
        assertThat(policy.pick(flow())).isSameAs(one.get(0));
        one.get(0).setDraining(true);
        assertThat(policy.pick(flow())).isNull();
    }
}
