package dev.fulcrum.learned.hash;

/**
 * One compiled model and one ring folded into a table: for each bucket of normalised keys
 * ({@link CompiledLearnedHash#BUCKETS} of them), the ring cursor every key of the bucket goes to,
 * when they all go to the same one. Between two model swaps or pool changes the whole mapping from
 * key to first server clockwise is static (DLB, Zhu et al., IEEE CLOUD 2021, III-A: position, then
 * the first server clockwise), so it is worked out once, off the data plane (on the reload thread
 * after a swap, on the configuration thread when the pool changes), and a pick reads one
 * {@code char} instead of a grid search, an interpolation and a ring search.
 *
 * <p>Same answer as the reference path ({@link CompiledLearnedHash#positionOfEncoded} then
 * {@link LearnedHashRing#first}): a bucket gets a cursor only when the lowest and the highest
 * position any key in it can get (its grid points and both ends, widened by {@link #MARGIN} for
 * rounding, and by a little beyond the bucket's edges for the rounding of {@code u * BUCKETS}) fall
 * in the same arc. The positions inside a grid cell are a monotone function of the key (linear
 * interpolation, monotone rounding), so nothing between those extremes lands elsewhere. A bucket
 * that straddles an arc edge holds {@link #UNDECIDED} and its keys take the reference path; with
 * a few dozen servers that is a few dozen buckets out of 65,536 (plus the crowded ones where one
 * bucket spans several arcs).
 */
final class LearnedHashArcTable {

    static final char UNDECIDED = Character.MAX_VALUE;
    /** Far wider than the rounding of an interpolation (positions are below 1, an ulp is ~1e-16). */
    static final double MARGIN = 1e-12;
    /** How far past its edges a bucket is looked at: {@code (int) (u * BUCKETS)} may round across an edge. */
    private static final double EDGE = 1e-9;

    final CompiledLearnedHash model;
    private final char[] cursors;
    private final char belowRange;
    private final char aboveRange;
    private final double keyMin;
    private final double keyScale;

    private LearnedHashArcTable(CompiledLearnedHash model, char[] cursors, char belowRange, char aboveRange) {
        this.model = model;
        this.cursors = cursors;
        this.belowRange = belowRange;
        this.aboveRange = aboveRange;
        this.keyMin = model.keyMin();
        this.keyScale = model.keyScale();
    }

    /** The table of this model over this ring, or {@code null} when the ring is empty or too large for a {@code char}. */
    static LearnedHashArcTable build(CompiledLearnedHash model, LearnedHashRing ring) {
        int n = ring.period();
        if (n == 0 || n >= UNDECIDED) {
            return null;
        }
        int buckets = CompiledLearnedHash.BUCKETS;
        char[] cursors = new char[buckets];
        for (int b = 0; b < buckets; b++) {
            cursors[b] = cursorOver(model, ring, Math.max((double) b / buckets - EDGE, Double.MIN_VALUE),
                    Math.min((double) (b + 1) / buckets + EDGE, Math.nextDown(1.0)));
        }
        char below = sameArc(ring, model.positionOfNormalised(0), model.positionOfNormalised(0));
        char above = sameArc(ring, model.positionOfNormalised(1), model.positionOfNormalised(1));
        return new LearnedHashArcTable(model, cursors, below, above);
    }

    /** The one cursor of every key in normalised (low, high), or {@link #UNDECIDED}. */
    private static char cursorOver(CompiledLearnedHash model, LearnedHashRing ring, double low, double high) {
        double min = Math.min(model.positionOfNormalised(low), model.positionOfNormalised(high));
        double max = Math.max(model.positionOfNormalised(low), model.positionOfNormalised(high));
        int cell = model.cellOf(low);
        int last = model.cellOf(high);
        for (int i = cell; i <= last; i++) {
            if (!(model.gridX(i + 1) > model.gridX(i))) {
                return UNDECIDED; // an empty cell: its interpolation is 0/0, leave it to the reference path
            }
            if (i > cell) {
                min = Math.min(min, model.gridY(i));
                max = Math.max(max, model.gridY(i));
            }
        }
        return sameArc(ring, min, max);
    }

    private static char sameArc(LearnedHashRing ring, double min, double max) {
        if (!(min == min) || !(max == max)) {
            return UNDECIDED;
        }
        long from = LearnedHashFunction.scaled(Math.max(0, min - MARGIN));
        long to = LearnedHashFunction.scaled(Math.min(CompiledLearnedHash.BELOW_ONE, max + MARGIN));
        int first = ring.unwrappedFirst(from);
        return first == ring.unwrappedFirst(to) ? (char) (first == ring.period() ? 0 : first) : UNDECIDED;
    }

    /** The cursor of an encoded key (not NaN), or {@link #UNDECIDED}. */
    int cursorOf(double encoded) {
        double u = (encoded - keyMin) * keyScale;
        if (!(u > 0)) {
            return belowRange;
        }
        if (u >= 1) {
            return aboveRange;
        }
        return cursors[(int) (u * CompiledLearnedHash.BUCKETS)];
    }

    /** How many buckets take the reference path (tests, the model report). */
    int undecidedBuckets() {
        int count = 0;
        for (char cursor : cursors) {
            count += cursor == UNDECIDED ? 1 : 0;
        }
        return count;
    }
}
