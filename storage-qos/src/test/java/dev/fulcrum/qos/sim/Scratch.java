package dev.fulcrum.qos.sim;

public class Scratch {
    public static void main(String[] args) {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "25000");
        for (Workload w : new Workload[] {new SyntheticWorkload(seconds, 1), new BurstyWorkload(seconds, 1)}) {
            for (StoragePolicies p : StoragePolicies.values()) {
                long t0 = System.nanoTime();
                SimulationResult r = TieredStorageSimulator.run(p.create(p.defaults()), w, 7, 100);
                System.out.printf("%s %-22s X=%.1f p99=%.2f p50=%.2f jit=%.4f  (%d ms)%n", w.name(), p.label(), r.meanThroughput(), r.p99LatencyMs(), r.p50LatencyMs(), r.jitter(), (System.nanoTime()-t0)/1000000);
                if (args.length > 1) {
                    for (var s : r.samples()) {
                        if (s.second() % Integer.parseInt(args[1]) == 0) System.out.printf("  t=%d w=%s r=%s x=%s%n", s.second(), java.util.Arrays.toString(round(s.watermarks())), java.util.Arrays.toString(round(s.rates())), java.util.Arrays.toString(round(s.throughputs())));
                    }
                }
            }
        }
    }
    static String[] round(double[] v) { String[] s = new String[v.length]; for (int i=0;i<v.length;i++) s[i]=String.format("%.3g", v[i]); return s; }
}
