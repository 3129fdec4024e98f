package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.hashing.HashRing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DLB's server management (Zhu et al., IEEE CLOUD 2021, III-A2): servers sit at deterministic
 * points of the circle, and a key goes to the first server clockwise of its learned position.
 *
 * <ul>
 *   <li>A fresh pool is spread evenly, each server's arc in proportion to its weight, in
 *       configuration order.</li>
 *   <li>When the pool changes, servers that stay keep their points. A removed server's arc goes to
 *       its clockwise neighbour (its point simply disappears); a new server splits the largest arc
 *       in half, taking its first half (ties: the arc nearest 0), as the paper says.</li>
 * </ul>
 * So a change moves only the keys of the arcs it touches, and every instance that saw the same
 * changes agrees. Points are longs in [0, {@link #SCALE}]; a key's position p in [0, 1) is
 * {@code p * SCALE}. The preference sequence for retries and the bounded-load walk is the next
 * server clockwise.
 *
 * <p>{@link #first} runs per pick: instead of a binary search over the points (log2 n dependent,
 * badly predicted branches), an index over the top bits of the position gives the first point at
 * or after the start of the position's slice of the circle, and a short forward scan (usually no
 * step: the index has at least four slices per point) finds the answer, the same point the binary
 * search finds.
 */
public final class LearnedHashRing implements HashRing {

    /** 2^62: positions as longs, exact for the 53 bits a double carries. */
    public static final long SCALE = 1L << 62;

    private final BackendSet backends;
    private final long[] points;
    private final BackendState[] owners;
    /** For each slice {@code s} of the circle (positions {@code s << shift} on), the first point at or after its start. */
    private final int[] firstInSlice;
    private final int shift;

    private LearnedHashRing(BackendSet backends, long[] points, BackendState[] owners) {
        this.backends = backends;
        this.points = points;
        this.owners = owners;
        int bits = Math.min(20, Math.max(10, 64 - Long.numberOfLeadingZeros(Math.max(1, points.length)) + 2));
        this.shift = 62 - bits;
        this.firstInSlice = new int[1 << bits];
        int point = 0;
        for (int slice = 0; slice < firstInSlice.length; slice++) {
            long start = (long) slice << shift;
            while (point < points.length && points[point] < start) {
                point++;
            }
            firstInSlice[slice] = point;
        }
    }

    /** Places {@code backends}, keeping the points of those {@code previous} already placed (by name). */
    public static LearnedHashRing place(BackendSet backends, LearnedHashRing previous) {
        Map<String, Long> kept = new HashMap<>();
        if (previous != null) {
            for (int i = 0; i < previous.points.length; i++) {
                String name = previous.owners[i].backend().name();
                if (backends.byName(name) != null) {
                    kept.put(name, previous.points[i]);
                }
            }
        }
        Map<String, Long> placed = kept.isEmpty() ? spread(backends) : split(backends, kept);
        int n = backends.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(placed.get(backends.get(a).backend().name()),
                placed.get(backends.get(b).backend().name())));
        long[] points = new long[n];
        BackendState[] owners = new BackendState[n];
        for (int i = 0; i < n; i++) {
            owners[i] = backends.get(order[i]);
            points[i] = placed.get(owners[i].backend().name());
        }
        return new LearnedHashRing(backends, points, owners);
    }

    private static Map<String, Long> spread(BackendSet backends) {
        Map<String, Long> placed = new HashMap<>();
        long total = 0;
        for (BackendState state : backends.states()) {
            total += Math.max(1, state.weight());
        }
        long cumulative = 0;
        for (BackendState state : backends.states()) {
            cumulative += Math.max(1, state.weight());
            placed.put(state.backend().name(), (long) ((double) cumulative / total * SCALE));
        }
        return placed;
    }

    private static Map<String, Long> split(BackendSet backends, Map<String, Long> kept) {
        Map<String, Long> placed = new HashMap<>(kept);
        List<Long> points = new ArrayList<>(kept.values());
        points.sort(null);
        for (BackendState state : backends.states()) {
            String name = state.backend().name();
            if (placed.containsKey(name)) {
                continue;
            }
            // The largest arc (prev, p]; the first arc wraps around 0.
            int largest = 0;
            long largestLength = -1;
            for (int i = 0; i < points.size(); i++) {
                long prev = i == 0 ? points.get(points.size() - 1) - SCALE : points.get(i - 1);
                long length = points.get(i) - prev;
                if (length > largestLength) {
                    largestLength = length;
                    largest = i;
                }
            }
            long prev = largest == 0 ? points.get(points.size() - 1) - SCALE : points.get(largest - 1);
            long point = Math.floorMod(prev + largestLength / 2, SCALE);
            placed.put(name, point);
            points.add(point);
            points.sort(null);
        }
        return placed;
    }

    /** The first point at or after {@code position} (a long in [0, SCALE)), wrapping to the first. */
    @Override
    public int first(long position) {
        if (position < 0 || position >= SCALE) {
            return searchFirst(position);
        }
        long[] points = this.points;
        int i = firstInSlice[(int) (position >>> shift)];
        while (i < points.length && points[i] < position) {
            i++;
        }
        return i == points.length ? 0 : i;
    }

    /** {@link #first} by binary search (positions outside the circle's scale). */
    int searchFirst(long position) {
        int first = unwrappedFirst(position);
        return first == points.length ? 0 : first;
    }

    /** The index of the first point at or after {@code position}; the number of points when none is (before wrapping). */
    int unwrappedFirst(long position) {
        int low = 0;
        int high = points.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (points[mid] < position) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The points in clockwise order (tests: arc boundaries). */
    long[] points() {
        return points.clone();
    }

    @Override
    public int next(long key, int cursor) {
        return cursor + 1 == points.length ? 0 : cursor + 1;
    }

    @Override
    public BackendState at(long key, int cursor) {
        return owners[cursor];
    }

    @Override
    public int period() {
        return points.length;
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    /** The arc ending at each point, as a fraction of the circle, in point order (the drift monitor). */
    double[] arcs() {
        double[] arcs = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            long prev = i == 0 ? points[points.length - 1] - SCALE : points[i - 1];
            arcs[i] = Math.max((double) (points[i] - prev) / SCALE, 1e-12);
        }
        return arcs;
    }

    /** Each backend's share of the circle, by name (tests, drift reports). */
    public Map<String, Double> arcShares() {
        Map<String, Double> shares = new HashMap<>();
        for (int i = 0; i < points.length; i++) {
            long prev = i == 0 ? points[points.length - 1] - SCALE : points[i - 1];
            shares.put(owners[i].backend().name(), (double) (points[i] - prev) / SCALE);
        }
        return shares;
    }
}
