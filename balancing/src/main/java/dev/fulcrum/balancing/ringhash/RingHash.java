package dev.fulcrum.balancing.ringhash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashRing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Consistent hashing on a ring (Karger et al., "Consistent Hashing and Random Trees", STOC'97):
 * each backend is placed at {@code virtualNodes x weight} points of the 64-bit ring, the hashes of
 * {@code "<name>_<replica>"}, and a key belongs to the first point at or after its own hash,
 * clockwise. A lookup is a binary search over a sorted {@code long[]}.
 *
 * <p>Points depend only on backend names, so the ring is the same whatever the order of the set,
 * and adding or removing a backend moves only the keys of the arcs it gains or loses (about
 * {@code 1/N} of them). Balance improves with points: the share of the most loaded backend is about
 * {@code 1 + k / sqrt(points per backend)} of the mean; see docs/balancing-properties.md.
 *
 * <p>Consecutive points of one backend are merged when the ring is built (only the last of each
 * run is kept: lookups land on the same backend), so the next entry clockwise always belongs to
 * another backend. That entry is the key's next choice in its preference sequence: where the key
 * would go if its backend were removed.
 *
 * <p>A ring is capped at {@link #MAX_POINTS} points (as Envoy's {@code maximum_ring_size}); above
 * it every backend's count is scaled down in proportion, keeping at least one each.
 */
final class RingHash implements HashRing {

    static final int MAX_POINTS = 1 << 23;

    private final BackendSet backends;
    private final BackendState[] states;
    private final long[] positions;
    private final int[] owners;
    private final int points;

    RingHash(BackendSet backends, int virtualNodes, HashFunction hash) {
        if (virtualNodes < 1) {
            throw new IllegalArgumentException("virtualNodes: " + virtualNodes + " (expected: >= 1)");
        }
        this.backends = backends;
        this.states = backends.states().toArray(new BackendState[0]);
        int[] replicas = replicas(backends, virtualNodes);
        int total = 0;
        for (int r : replicas) {
            total += r;
        }
        long[] allPositions = new long[total];
        int[] allOwners = new int[total];
        int next = 0;
        for (int i = 0; i < replicas.length; i++) {
            String name = states[i].backend().name();
            for (int r = 0; r < replicas[i]; r++) {
                allPositions[next] = hash.hashBytes((name + "_" + r).getBytes(StandardCharsets.UTF_8));
                allOwners[next] = i;
                next++;
            }
        }
        sort(allPositions, allOwners);
        this.points = total;

        // Keep the last point of each run of one backend, the wrap from the end to the start included.
        int kept = 0;
        int firstOwner = total == 0 ? -1 : allOwners[0]; // entry 0 is overwritten as entries are kept
        for (int j = 0; j < total; j++) {
            int nextOwner = j + 1 < total ? allOwners[j + 1] : firstOwner;
            if (allOwners[j] != nextOwner || (kept == 0 && j == total - 1)) {
                allPositions[kept] = allPositions[j];
                allOwners[kept] = allOwners[j];
                kept++;
            }
        }
        this.positions = Arrays.copyOf(allPositions, kept);
        this.owners = Arrays.copyOf(allOwners, kept);
    }

    /** Points per backend: {@code virtualNodes x weight}, scaled down to fit {@link #MAX_POINTS}. */
    static int[] replicas(BackendSet backends, int virtualNodes) {
        int n = backends.size();
        long total = 0;
        for (BackendState state : backends.states()) {
            total += (long) virtualNodes * state.weight();
        }
        double scale = total > MAX_POINTS ? (double) (MAX_POINTS - n) / total : 1.0;
        int[] replicas = new int[n];
        for (int i = 0; i < n; i++) {
            replicas[i] = (int) Math.max(1, Math.floor((double) virtualNodes * backends.get(i).weight() * scale));
        }
        return replicas;
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    @Override
    public int first(long key) {
        // The first entry at or after the key; past the last one the ring wraps to entry 0.
        int low = 0;
        int high = positions.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (positions[mid] < key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low == positions.length ? 0 : low;
    }

    @Override
    public int next(long key, int cursor) {
        int next = cursor + 1;
        return next == positions.length ? 0 : next;
    }

    @Override
    public BackendState at(long key, int cursor) {
        return states[owners[cursor]];
    }

    @Override
    public int period() {
        return positions.length;
    }

    /** Points placed before merging runs, for tests and reports. */
    int points() {
        return points;
    }

    /** Entries left after merging runs of one backend. */
    int entries() {
        return positions.length;
    }

    /** Each backend's share of the ring (the arcs that end at its entries), indexed like the set. */
    double[] arcShares() {
        double[] shares = new double[states.length];
        int length = positions.length;
        if (length == 1) {
            shares[owners[0]] = 1.0;
            return shares;
        }
        for (int j = 0; j < length; j++) {
            long arc = positions[j] - positions[j == 0 ? length - 1 : j - 1]; // modulo 2^64: the wrap too
            shares[owners[j]] += unsignedToDouble(arc) / 0x1p64;
        }
        return shares;
    }

    private static double unsignedToDouble(long value) {
        return value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
    }

    /** Sorts positions with their owners, by position then owner: a stable bottom-up merge sort. */
    static void sort(long[] positions, int[] owners) {
        int n = positions.length;
        long[] p = positions;
        int[] o = owners;
        long[] pTmp = new long[n];
        int[] oTmp = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                for (int k = lo; k < hi; k++) {
                    boolean takeLeft = j >= hi || (i < mid && (p[i] < p[j] || (p[i] == p[j] && o[i] <= o[j])));
                    if (takeLeft) {
                        pTmp[k] = p[i];
                        oTmp[k] = o[i++];
                    } else {
                        pTmp[k] = p[j];
                        oTmp[k] = o[j++];
                    }
                }
            }
            long[] pSwap = p;
            p = pTmp;
            pTmp = pSwap;
            int[] oSwap = o;
            o = oTmp;
            oTmp = oSwap;
        }
        if (p != positions) {
            System.arraycopy(p, 0, positions, 0, n);
            System.arraycopy(o, 0, owners, 0, n);
        }
    }
}
