package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.SlowStart;
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
 * Pick cost with slow start: {@code ramping = none} has slow start configured but no backend
 * ramping (the steady state: one extra volatile read per candidate), {@code tenth} has a tenth of
 * the backends ramping at a fraction near 0.5 (a clock read and a mix per ramping candidate, and
 * walks past declined keys). The clock is {@link System#nanoTime()}, as in the proxy.
 *
 * <pre>{@code scripts/bench-balancing 'SlowStartPickBenchmark' -f 1 -wi 2 -i 3 -prof gc}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SlowStartPickBenchmark {

    @Param({"ring-hash", "maglev", "rendezvous", "jump-hash", "random", "round-robin"})
    public String policyType;

    @Param({"none", "tenth"})
    public String ramping;

    @Param({"100"})
    public int backends;

    private BalancingPolicy policy;
    private Flow[] flows;
    private int next;

    @Setup
    public void setUp() {
        BackendSet set = HashingProperties.uniform(backends);
        long window = TimeUnit.HOURS.toNanos(1);
        SlowStart slowStart = new SlowStart(window, 1.0, 0.1, System::nanoTime);
        for (BackendState state : set.states()) {
            state.setSlowStart(slowStart);
        }
        if (ramping.equals("tenth")) {
            // Ramps started half a window ago (a clock set back for the start only), so the
            // fraction stays near 0.5 for the whole run.
            SlowStart halfAgo = new SlowStart(window, 1.0, 0.1, () -> System.nanoTime() - window / 2);
            for (int i = 0; i < backends; i += 10) {
                set.get(i).setSlowStart(halfAgo);
                set.get(i).startSlowStart();
                set.get(i).setSlowStart(slowStart);
            }
        }
        policy = HashingProperties.policy(policyType, Map.of(), set);
        flows = PickFixture.flows(HashingProperties.SEED);
    }

    @Benchmark
    public BackendState pick() {
        return policy.pick(flows[next++ & (PickFixture.FLOWS - 1)]);
    }
}
