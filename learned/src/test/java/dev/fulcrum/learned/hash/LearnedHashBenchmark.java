package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The learned hash's pick (compiled model, no inference) against Maglev's, on the same flows:
 * double keys (the DLB experiment) and IPv4 client addresses (the proxy); ring hash beside them.
 * Run: {@code scripts/bench-learned LearnedHashBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LearnedHashBenchmark {

    /** {@code learned-hash-reference}: the same policy's reference path alone (grid and ring search, no arc table). */
    @Param({"learned-hash", "learned-hash-reference", "learned-hash+bound", "maglev", "ring-hash"})
    String policy;

    @Param({"double", "ipv4"})
    String key;

    private BalancingPolicy picker;
    private Flow[] flows;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            backends.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        Path model = Path.of(System.getProperty("fulcrum.bench.model", "learned/src/test/resources/models/learned-hash.onnx"));
        PolicyConfig config = switch (policy) {
            case "learned-hash", "learned-hash-reference" -> new PolicyConfig("learned-hash", Map.of("model", model.toString(), "name", "bench"));
            case "learned-hash+bound" -> new PolicyConfig("learned-hash", Map.of("model", model.toString(), "name", "bench", "boundedLoad", 1.25));
            default -> PolicyConfig.of(policy);
        };
        picker = Policies.create(BackendSet.of(backends), config, null);
        if (policy.equals("learned-hash-reference")) {
            picker = ((LearnedHashPolicy) picker).reference(); // the grid and ring search, without the arc table
        }
        if (picker instanceof LearnedHashPolicy learned && learned.slot().compiled() == null) {
            throw new IllegalStateException("the model did not load: " + learned.slot().status().get("lastError"));
        }
        SplittableRandom random = new SplittableRandom(1);
        flows = new Flow[4096];
        for (int i = 0; i < flows.length; i++) {
            Object raw = key.equals("double") ? (Object) Math.exp(random.nextGaussian())
                    : InetAddress.getByAddress(new byte[] {10, (byte) random.nextInt(4), (byte) random.nextInt(256), (byte) random.nextInt(256)});
            flows[i] = new Flow(random.nextLong(), raw, null);
        }
    }

    @Benchmark
    public BackendState pick() {
        Flow flow = flows[next];
        next = (next + 1) & (flows.length - 1);
        return picker.pick(flow);
    }
}
