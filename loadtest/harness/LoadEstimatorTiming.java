import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * ONNX Runtime time of one load-estimator batch of N backends, as the load-aware policy runs it on the
 * control thread each tick (docs/load-aware.md): 50 warm-up runs, then the median and p90 of 200.
 * Run: java -cp loadtest/target/fulcrum-loadtest.jar loadtest/harness/LoadEstimatorTiming.java MODEL.onnx 64
 */
public class LoadEstimatorTiming {
    public static void main(String[] args) throws Exception {
        int backends = Integer.parseInt(args[1]);
        try (LoadedModel model = ModelLoader.load(Path.of(args[0]), ModelKind.LOAD_ESTIMATOR)) {
            int window = Integer.parseInt(model.parameter("fulcrum.windowTicks"));
            int features = Integer.parseInt(model.parameter("fulcrum.features"));
            float[] input = new float[backends * window * features];
            java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            for (int i = 0; i < input.length; i++) input[i] = (float) random.nextDouble();
            long[] shape = {backends, window, features};
            for (int i = 0; i < 50; i++) model.run(input, shape);
            long[] nanos = new long[200];
            for (int i = 0; i < nanos.length; i++) {
                long start = System.nanoTime();
                model.run(input, shape);
                nanos[i] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            System.out.printf("%s: %d backends x %d ticks x %d features: median %.2f ms, p90 %.2f ms%n", args[0], backends, window,
                    features, nanos[100] / 1e6, nanos[180] / 1e6);
        }
    }
}
