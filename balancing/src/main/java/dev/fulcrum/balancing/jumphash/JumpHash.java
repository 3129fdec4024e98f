package dev.fulcrum.balancing.jumphash;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.hashing.HashRing;
import dev.fulcrum.balancing.hashing.SplitMix64;

/**
 * Jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
 * 2014, Figure 1): a key's bucket among {@code B} in O(ln B) steps and no table at all.
 *
 * <p>Buckets are numbered, not named: they are the backends in the order of the set. Jump hash is
 * only consistent for changes at the end of that list. Adding a backend at the end, or removing the
 * last one, moves the ideal {@code 1/N} of the keys; removing or inserting one in the middle shifts
 * every later backend to another bucket number, and about {@code (N - position) / N} of the keys move
 * (half of them for a backend in the middle). Keep pools append-only, or drain instead of removing
 * (a draining backend keeps its bucket and its keys walk on), or take ring hash or rendezvous.
 *
 * <p>Weights work by repetition: a backend of weight {@code w} owns {@code w} consecutive buckets
 * (so equal weights of 1 are plain jump hash over the backends). The same caveat applies: changing
 * the weight of the last backend is cheap, changing any other shifts the buckets after it. Totals
 * above {@link #MAX_BUCKETS} are scaled down in proportion, keeping at least one bucket each.
 *
 * <p>The preference sequence of a key is jump hash of the key, then of the key rehashed with 1, 2,
 * ...: a retry or a draining backend sends the key to a backend drawn in proportion to weight, not
 * to a fixed neighbour. The sequence may repeat a backend; the walk skips those the flow tried.
 */
final class JumpHash implements HashRing {

    static final int MAX_BUCKETS = 1 << 20;

    private final BackendSet backends;
    private final BackendState[] states;
    private final int[] owners;

    JumpHash(BackendSet backends) {
        this.backends = backends;
        this.states = backends.states().toArray(new BackendState[0]);
        this.owners = buckets(backends);
    }

    /** Bucket number to backend index: each backend repeated as many times as its weight. */
    static int[] buckets(BackendSet backends) {
        long total = 0;
        for (BackendState state : backends.states()) {
            total += state.weight();
        }
        int n = backends.size();
        double scale = total > MAX_BUCKETS ? (double) (MAX_BUCKETS - n) / total : 1.0;
        int[] counts = new int[n];
        int buckets = 0;
        for (int i = 0; i < n; i++) {
            counts[i] = (int) Math.max(1, Math.floor(backends.get(i).weight() * scale));
            buckets += counts[i];
        }
        int[] owners = new int[buckets];
        int next = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < counts[i]; c++) {
                owners[next++] = i;
            }
        }
        return owners;
    }

    /** Lamping and Veach's Figure 1, with Java's signed longs read as unsigned where it matters. */
    static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }

    /** The key for the {@code attempt}-th choice: SplitMix64's finaliser over key and attempt. */
    static long rehash(long key, int attempt) {
        return SplitMix64.mix(key + attempt * SplitMix64.GAMMA);
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    @Override
    public int first(long key) {
        return 0;
    }

    @Override
    public int next(long key, int cursor) {
        return cursor == Integer.MAX_VALUE ? 0 : cursor + 1;
    }

    @Override
    public BackendState at(long key, int cursor) {
        return states[owners[jump(cursor == 0 ? key : rehash(key, cursor), owners.length)]];
    }

    @Override
    public int period() {
        return Integer.MAX_VALUE;
    }

    int buckets() {
        return owners.length;
    }
}
