package dev.fulcrum.balancing.leastconn;

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

/** {@code pick()} of weighted least connections: a scan of every backend (weights 1-100, 0-50 open flows each). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LeastConnectionsBenchmark {

    @Param({"10", "100", "1000"})
    public int backends;

    private BalancingPolicy policy;
    private Flow flow;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        BackendSet set = TestBackends.backends(random.ints(backends, 1, 101).toArray());
        for (BackendState state : set.states()) {
            for (int open = random.nextInt(51); open > 0; open--) {
                state.tryAcquire();
            }
        }
        policy = Policies.create(set, PolicyConfig.of(LeastConnectionsPolicyFactory.TYPE), null);
        flow = TestBackends.flow();
    }

    @Benchmark
    public BackendState pick() {
        return policy.pick(flow);
    }
}
