package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelLoader;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;

/**
 * A probe, not a test: the share of setting-2 requests (fulcrum sim learned-hash, s and seed as the sim draws
 * them, 2,000,000 test requests) that {@link LearnedHashArcTable} answers for 8, 64 and 1000 servers, and the
 * model's load + compile time. docs/learned-hash.md ("Costs of 1024 leaves") has its figures. Run against the
 * fulcrum jar, with a model the sim wrote:
 * <pre>
 * javac -cp proxy/target/fulcrum.jar -d /tmp/probe learned/src/test/java/dev/fulcrum/learned/hash/ArcTableCoverageProbe.java
 * java -cp /tmp/probe:proxy/target/fulcrum.jar dev.fulcrum.learned.hash.ArcTableCoverageProbe WORK_DIR/zipf-0.6.onnx 0.6 SEED
 * </pre>
 */
public final class ArcTableCoverageProbe {
    @SuppressWarnings("unchecked")
    public static void main(String[] a) throws Exception {
        // The sim's key generators are package-private in dev.fulcrum.learned.experiment; reached by reflection.
        Path model = Path.of(a[0]);
        double s = Double.parseDouble(a[1]);
        long seed = Long.parseLong(a[2]);
        Class<?> e = Class.forName("dev.fulcrum.learned.experiment.LearnedHashExperiment");
        Method pop = e.getDeclaredMethod("population", int.class, long.class); pop.setAccessible(true);
        Method cum = e.getDeclaredMethod("zipfCumulative", int.class, double.class); cum.setAccessible(true);
        Method sam = e.getDeclaredMethod("sample", double[].class, double[].class, int.class, long.class); sam.setAccessible(true);
        Method bins = e.getDeclaredMethod("bins", int.class); bins.setAccessible(true);
        double[] p = (double[]) pop.invoke(null, 100000, seed);
        double[] c = (double[]) cum.invoke(null, p.length, s);
        double[] req = (double[]) sam.invoke(null, p, c, 2_000_000, seed * 31 + 2);
        long t0 = System.nanoTime();
        try (LoadedModel m = ModelLoader.load(model, ModelKind.LEARNED_HASH)) {
            CompiledLearnedHash compiled = CompiledLearnedHash.compile(m);
            long t1 = System.nanoTime();
            for (int n : new int[] {8, 64, 1000}) {
                LearnedHashRing ring = LearnedHashRing.place(BackendSet.of((List<dev.fulcrum.balancing.Backend>) bins.invoke(null, n)), null);
                LearnedHashArcTable table = LearnedHashArcTable.build(compiled, ring);
                long hit = 0;
                for (double k : req) {
                    hit += table.cursorOf(k) != LearnedHashArcTable.UNDECIDED ? 1 : 0;
                }
                System.out.printf("%s servers %d: undecided buckets %d, requests answered by the table %.4f%n", model.getFileName(), n,
                        table.undecidedBuckets(), (double) hit / req.length);
            }
            System.out.printf("load+compile %.1f s%n", (t1 - t0) / 1e9);
        }
    }
}
