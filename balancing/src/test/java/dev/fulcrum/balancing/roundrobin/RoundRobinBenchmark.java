package dev.fulcrum.balancing.roundrobin;

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
 * {@code pick()} of smooth weighted round robin over backends with weights 1-100: one atomic
 * increment and an array read; {@code pickWithATenthDraining} adds the weighted fallback for the
 * turns that land on a draining backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoundRobinBenchmark {

    @Param({"10", "100", "1000"})
    public int backends;

    private BalancingPolicy policy;
    private BalancingPolicy partlyDraining;
    private Flow flow;

    @Setup
    public void setUp() {
        int[] weights = new SplittableRandom(1).ints(backends, 1, 101).toArray();
        policy = Policies.create(TestBackends.backends(weights), PolicyConfig.of(RoundRobinPolicyFactory.TYPE), null);
        BackendSet draining = TestBackends.backends(weights);
        for (int i = 0; i < backends; i += 10) {
            draining.get(i).setDraining(true);
        }
        partlyDraining = Policies.create(draining, PolicyConfig.of(RoundRobinPolicyFactory.TYPE), null);
        flow = TestBackends.flow();
    }

    @Benchmark
    public BackendState pick() {
        return policy.pick(flow);
    }

    @Benchmark
    public BackendState pickWithATenthDraining() {
        return partlyDraining.pick(flow);
    }
}
