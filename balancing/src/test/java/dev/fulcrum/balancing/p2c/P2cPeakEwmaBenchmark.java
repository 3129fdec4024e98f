package dev.fulcrum.balancing.p2c;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.TestBackends;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code pick()} of p2c-peak-ewma as the proxy builds it (ThreadLocalRandom, System.nanoTime),
 * over backends with weights 1-4 and latency estimates of 0.1-2 ms, a quarter of them with open flows.
 * {@code recordLatency} measures the proxy's side: one CAS on the backend's packed estimate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class P2cPeakEwmaBenchmark {

    @Param({"10", "100", "1000"})
    public int backends;

    private BalancingPolicy policy;
    private BackendState one;
    private Flow flow;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        BackendSet set = TestBackends.backends(random.ints(backends, 1, 5).toArray());
        long now = System.nanoTime();
        for (BackendState state : set.states()) {
            state.recordLatency(100_000 + random.nextLong(1_900_000), now);
            if (random.nextInt(4) == 0) {
                state.tryAcquire();
            }
        }
        policy = Policies.create(set, PolicyConfig.of(P2cPeakEwmaPolicyFactory.TYPE), null);
        one = set.get(0);
        flow = TestBackends.flow();
    }

    @Benchmark
    public BackendState pick() {
        return policy.pick(flow);
    }

    @Benchmark
    public void recordLatency() {
        one.recordLatency(250_000, System.nanoTime());
    }
}
