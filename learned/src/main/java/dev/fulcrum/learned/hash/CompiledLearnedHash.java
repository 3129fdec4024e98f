package dev.fulcrum.learned.hash;

import ai.onnxruntime.OrtException;
import dev.fulcrum.learned.LoadedModel;
import dev.fulcrum.learned.ModelRejectedException;
import dev.fulcrum.learned.ModelSlot;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learned-hash model compiled into a lookup structure, so that a pick needs no inference: the
 * model is evaluated once, at load, on a grid of normalised keys, and a key's position is the
 * piecewise-linear interpolation between the two grid points around it.
 *
 * <h2>The grid and its error bound</h2>
 * It starts uniform ({@link #START_POINTS} points over [0, 1]) and is refined where the model's
 * output climbs fast, that is where keys crowd (the model learned their CDF): every cell whose
 * position moves by more than {@link #TARGET_STEP} is cut into as many cells as needed, for up to
 * {@link #ROUNDS} rounds. The grid ends up dense at the key quantiles, which is where accuracy
 * matters, and around the small steps where one leaf model hands over to the next (the cell holding
 * a step is cut until it is narrower than 1e-12 or the rounds run out). Positions follow the model,
 * steps included: the ring needs no monotonicity, and forcing it would move keys away from where
 * the model put them. Where the model is monotone inside a cell, the interpolation error is at most
 * the cell's rise; {@link #maxCellRise()} reports the largest, and the compile step also measures the
 * worst error against direct inference at every cell's midpoint ({@link #midpointError()}); both
 * appear in {@code GET /api/models}, and a test bounds the error on held-out keys.
 *
 * <h2>Lookup</h2>
 * A bucket table over [0, 1] ({@link #BUCKETS} buckets) gives the range of grid cells a key can be
 * in; a binary search inside it finds the cell: no allocation, a few dozen nanoseconds. The grid is
 * one interleaved array (x0, y0, x1, y1, ...) rather than two, so the four numbers of the cell a key
 * falls in are adjacent: one or two cache lines instead of two to four on a grid of up to 2^19
 * points (8 MB) that does not stay in cache.
 */
public final class CompiledLearnedHash implements ModelSlot.Describable {

    static final int START_POINTS = 4097;
    static final double TARGET_STEP = 1.0 / (1 << 14);
    static final int ROUNDS = 4;
    static final int MAX_POINTS = 1 << 19;
    static final int MAX_SPLIT = 256;
    static final int BUCKETS = 1 << 16;
    static final int BATCH = 4096;
    /** Positions are kept strictly below 1. */
    static final double BELOW_ONE = Math.nextDown(1.0);

    private final KeyEncoding encoding;
    private final double keyMin;
    private final double keyScale;
    /** The grid points interleaved: x at {@code 2i}, the model's position there at {@code 2i + 1}. */
    private final double[] grid;
    private final int points;
    private final int[] bucketStart;
    private final String version;
    private final double maxCellRise;
    private double midpointError;

    private CompiledLearnedHash(KeyEncoding encoding, double keyMin, double keyMax, double[] xs, double[] ys, String version) {
        this.encoding = encoding;
        this.keyMin = keyMin;
        this.keyScale = 1.0 / (keyMax - keyMin);
        this.points = xs.length;
        this.grid = new double[2 * xs.length];
        for (int i = 0; i < xs.length; i++) {
            grid[2 * i] = xs[i];
            grid[2 * i + 1] = ys[i];
        }
        this.version = version;
        double rise = 0;
        for (int i = 1; i < ys.length; i++) {
            rise = Math.max(rise, Math.abs(ys[i] - ys[i - 1]));
        }
        this.maxCellRise = rise;
        this.bucketStart = new int[BUCKETS + 1];
        int cell = 0;
        for (int b = 0; b <= BUCKETS; b++) {
            double low = (double) b / BUCKETS;
            while (cell + 1 < xs.length - 1 && xs[cell + 1] <= low) {
                cell++;
            }
            bucketStart[b] = cell;
        }
    }

    /** Compiles a checked learned-hash model; refuses one whose encoding or key range is unusable. */
    public static CompiledLearnedHash compile(LoadedModel model) throws ModelRejectedException {
        KeyEncoding encoding = KeyEncoding.byLabel(model.parameter("fulcrum.keyEncoding"));
        if (encoding == null) {
            throw new ModelRejectedException(model.file(), "fulcrum.keyEncoding: " + model.parameter("fulcrum.keyEncoding")
                    + " (expected: number, address or host)");
        }
        double keyMin = number(model, "fulcrum.keyMin");
        double keyMax = number(model, "fulcrum.keyMax");
        if (!(keyMax > keyMin) || !Double.isFinite(keyMax - keyMin)) {
            throw new ModelRejectedException(model.file(), "fulcrum.keyMin/keyMax: " + keyMin + ", " + keyMax
                    + " (expected: finite, min < max)");
        }
        try {
            double[] xs = new double[START_POINTS];
            for (int i = 0; i < START_POINTS; i++) {
                xs[i] = (double) i / (START_POINTS - 1);
            }
            double[] ys = evaluate(model, xs);
            for (int round = 0; round < ROUNDS; round++) {
                double[] refined = refine(xs, ys);
                if (refined == null) {
                    break;
                }
                double[] refinedYs = evaluate(model, refined);
                xs = refined;
                ys = refinedYs;
            }
            CompiledLearnedHash compiled = new CompiledLearnedHash(encoding, keyMin, keyMax, xs, ys, model.version());
            compiled.midpointError = compiled.maxErrorAgainst(model, midpoints(xs));
            return compiled;
        } catch (OrtException e) {
            throw new ModelRejectedException(model.file(), "inference failed while compiling (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new ModelRejectedException(model.file(), e.getMessage(), e);
        }
    }

    private static double number(LoadedModel model, String key) throws ModelRejectedException {
        try {
            double value = Double.parseDouble(model.parameter(key).trim());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ModelRejectedException(model.file(), key + ": " + model.parameter(key) + " (expected: a finite number)");
    }

    /** The grid with every cell that rises too fast cut up, or {@code null} when none does. */
    private static double[] refine(double[] xs, double[] ys) {
        int extra = 0;
        int[] cuts = new int[xs.length - 1];
        for (int i = 0; i + 1 < xs.length; i++) {
            double rise = Math.abs(ys[i + 1] - ys[i]);
            if (rise > TARGET_STEP && xs[i + 1] - xs[i] > 1e-12) {
                cuts[i] = (int) Math.min(MAX_SPLIT, Math.ceil(rise / TARGET_STEP)) - 1;
                extra += cuts[i];
            }
        }
        if (extra == 0 || xs.length + extra > MAX_POINTS) {
            return null;
        }
        double[] refined = new double[xs.length + extra];
        int j = 0;
        for (int i = 0; i + 1 < xs.length; i++) {
            refined[j++] = xs[i];
            for (int k = 1; k <= cuts[i]; k++) {
                refined[j++] = xs[i] + (xs[i + 1] - xs[i]) * k / (cuts[i] + 1);
            }
        }
        refined[j] = xs[xs.length - 1];
        return refined;
    }

    /** Direct inference, in batches, float32 as the model takes it; NaN/inf is refused. */
    static double[] evaluate(LoadedModel model, double[] us) throws OrtException {
        double[] out = new double[us.length];
        for (int start = 0; start < us.length; start += BATCH) {
            int rows = Math.min(BATCH, us.length - start);
            float[] batch = new float[rows];
            for (int i = 0; i < rows; i++) {
                batch[i] = (float) us[start + i];
            }
            float[] positions = model.run(batch, new long[] {rows, 1});
            for (int i = 0; i < rows; i++) {
                float p = positions[i];
                if (!Float.isFinite(p)) {
                    throw new IllegalArgumentException("normalised key " + us[start + i] + " gave position " + p
                            + " (expected: a finite number)");
                }
                out[start + i] = Math.min(Math.max(p, 0.0), BELOW_ONE);
            }
        }
        return out;
    }

    private static double[] midpoints(double[] xs) {
        double[] mids = new double[xs.length - 1];
        for (int i = 0; i + 1 < xs.length; i++) {
            mids[i] = (xs[i] + xs[i + 1]) / 2;
        }
        return mids;
    }

    /** The worst |compiled - direct inference| over these normalised keys (tests, the compile report). */
    public double maxErrorAgainst(LoadedModel model, double[] normalisedKeys) throws OrtException {
        double[] direct = evaluate(model, normalisedKeys);
        double worst = 0;
        for (int i = 0; i < normalisedKeys.length; i++) {
            worst = Math.max(worst, Math.abs(positionOfNormalised(normalisedKeys[i]) - direct[i]));
        }
        return worst;
    }

    /** The key's position on the circle in [0, 1), or NaN when the encoding cannot read the key. */
    public double position(Object rawKey) {
        return positionOfEncoded(encoding.encode(rawKey));
    }

    public double positionOfEncoded(double encoded) {
        if (Double.isNaN(encoded)) {
            return Double.NaN;
        }
        return positionOfNormalised((encoded - keyMin) * keyScale);
    }

    /** The position of a key already normalised the way the model takes it (clamped to [0, 1]). */
    public double positionOfNormalised(double u) {
        double[] grid = this.grid;
        if (!(u > 0)) {
            return grid[1];
        }
        if (u >= 1) {
            return grid[2 * points - 1];
        }
        int low = cellOf(u);
        int at = 2 * low;
        double x0 = grid[at];
        double y0 = grid[at + 1];
        double x1 = grid[at + 2];
        double y1 = grid[at + 3];
        double t = (u - x0) / (x1 - x0);
        return y0 + (y1 - y0) * t;
    }

    /** The grid cell {@code i} with {@code x(i) <= u < x(i + 1)}, for {@code 0 < u < 1}. */
    int cellOf(double u) {
        double[] grid = this.grid;
        int bucket = (int) (u * BUCKETS);
        int low = bucketStart[bucket];
        int high = bucketStart[bucket + 1] + 1; // x(low) <= u < x(high) (the cell may end past the bucket)
        while (high - low > 1) {
            int mid = (low + high) >>> 1;
            if (grid[2 * mid] <= u) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The key's normalised value (the model's input), for tests and the trainer's check. */
    public double normalise(Object rawKey) {
        return (encoding.encode(rawKey) - keyMin) * keyScale;
    }

    public KeyEncoding encoding() {
        return encoding;
    }

    public String version() {
        return version;
    }

    public int gridPoints() {
        return points;
    }

    /** Grid point {@code i}'s normalised key (tests: the reference lookup, cell boundaries). */
    double gridX(int i) {
        return grid[2 * i];
    }

    /** The model's position at grid point {@code i}. */
    double gridY(int i) {
        return grid[2 * i + 1];
    }

    /** The first grid cell of each bucket (tests: the reference lookup). */
    int bucketStart(int bucket) {
        return bucketStart[bucket];
    }

    double keyMin() {
        return keyMin;
    }

    double keyScale() {
        return keyScale;
    }

    public double maxCellRise() {
        return maxCellRise;
    }

    public double midpointError() {
        return midpointError;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keyEncoding", encoding.label());
        out.put("gridPoints", points);
        out.put("maxCellRise", maxCellRise);
        out.put("midpointError", midpointError);
        return out;
    }

    @Override
    public String toString() {
        return "CompiledLearnedHash[" + version + ", " + points + " points, " + Arrays.toString(new double[] {maxCellRise, midpointError}) + "]";
    }
}
