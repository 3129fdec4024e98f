package dev.fulcrum.balancing.maglev;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.hash.HashFunctions;
import dev.fulcrum.balancing.hashing.HashingProperties;
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
 * Building a Maglev table: the control thread's cost of a pool change (hashing the names,
 * populating M slots in turn order). Equal weights.
 *
 * <pre>{@code scripts/bench-balancing 'MaglevBuildBenchmark' -f 1 -wi 2 -i 3 -prof gc}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MaglevBuildBenchmark {

    @Param({"100", "1000"})
    public int backends;

    @Param({"65537", "655373"})
    public int tableSize;

    private BackendSet set;

    @Setup
    public void setUp() {
        set = HashingProperties.uniform(backends);
    }

    @Benchmark
    public MaglevTable build() {
        return new MaglevTable(set, tableSize, HashFunctions.MURMUR3);
    }
}
