package dev.fulcrum.learned.rl;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
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
 * The per-flow cost of the {@code q-network} policy: one draw from the published Boltzmann
 * snapshot, with ThreadLocalRandom as the proxy will use it ({@code draw}); and what the control
 * thread pays per update: soft-max plus alias table ({@code publish}). A quarter of the slots are
 * masked (absent children). {@code -prof gc} shows the draw allocates nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SelectionSnapshotBenchmark {

    @Param({"5", "10", "64"})
    public int slots;

    private SelectionPublisher publisher;
    private double[] q;
    private boolean[] present;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        q = new double[slots];
        present = new boolean[slots];
        for (int k = 0; k < slots; k++) {
            q[k] = random.nextDouble() * 10;
            present[k] = k % 4 != 3;
        }
        publisher = new SelectionPublisher(0.1, SelectionSnapshot.uniform(present, 0));
        publisher.update(q, present);
    }

    @Benchmark
    public int draw() {
        return publisher.current().draw(ThreadLocalRandom.current().nextLong());
    }

    @Benchmark
    public boolean publish() {
        return publisher.update(q, present);
    }
}
