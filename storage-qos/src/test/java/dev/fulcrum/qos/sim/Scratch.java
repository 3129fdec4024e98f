package dev.fulcrum.qos.sim;

public class Scratch {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        var rep = StorageExperiment.run(new StorageExperiment.Settings(Integer.parseInt(args[0]), 1, Integer.parseInt(args[1]), Integer.parseInt(args[2]), 100));
        for (var r : rep.table()) System.out.printf("%s %-22s X=%.1f p99=%.2f jit=%.4f %s%n", r.workload(), r.method(), r.meanThroughput(), r.p99LatencyMs(), r.jitter(), java.util.Arrays.toString(r.parameters()));
        for (var r : rep.ablation()) System.out.printf("%s %-40s X=%.1f p99=%.2f jit=%.4f%n", r.workload(), r.method(), r.meanThroughput(), r.p99LatencyMs(), r.jitter());
        System.out.println((System.nanoTime()-t0)/1e9 + " s");
    }
}
