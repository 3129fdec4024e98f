package dev.fulcrum.balancing.ringhash;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.hashing.HashingProperties;
import dev.fulcrum.balancing.hashing.PickFixture;
import java.util.Map;
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
 * ring-hash pick: a binary search over the merged ring (160 points per backend), with and without bounded load.
 *
 * <pre>{@code scripts/bench-balancing 'RingHashBenchmark' -f 1 -wi 2 -i 3 -prof gc}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RingHashBenchmark {

    @Param({"10", "100", "1000"})
    public int backends;

    /** {@code none}, or the bounded-load factor c. */
    @Param({"none", "1.25"})
    public String boundedLoad;

    private BalancingPolicy policy;
    private Flow[] flows;
    private int next;

    @Setup
    public void setUp() {
        policy = HashingProperties.policy("ring-hash", PickFixture.withBound(Map.of(), boundedLoad),
                PickFixture.loadedBackends(backends, HashingProperties.SEED));
        flows = PickFixture.flows(HashingProperties.SEED);
    }

    @Benchmark
    public BackendState pick() {
        return policy.pick(flows[next++ & (PickFixture.FLOWS - 1)]);
    }
}
