package dev.fulcrum.balancing.maglev;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.hash.HashFunction;
import dev.fulcrum.balancing.hashing.HashRing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI'16 §3.4; the table size must be prime): each backend walks its own permutation of
 * the {@code M} slots, {@code (offset + j x skip) mod M} with offset and skip from two hashes of its
 * name, and the backends take turns claiming their next free slot until the table is full. A key's
 * backend is one array read.
 *
 * <p>Weighted as Envoy's Maglev is: a backend takes turns in proportion to its weight, spread evenly
 * over the population (its k-th turn comes at virtual time {@code (k + 1) / weight}, ties by set
 * order, as in stride scheduling), so it ends with {@code weight / total weight} of the slots. With
 * equal weights this is exactly the paper's round robin (Pseudocode 1).
 *
 * <p>Balance is near perfect (slot counts differ by at most one turn's worth); the price is
 * disruption: removing one backend of N moves its own keys plus a few percent of the others, because
 * the turns of every backend shift (§3.4 and Figure 12 of the paper; measured in
 * docs/balancing-properties.md). The table wants {@code M} much larger than the number of backends
 * (the paper uses {@code M > 100 N}); backends beyond the {@code M}-th turn get no slot at all.
 *
 * <p>A key's preference sequence is the slots after its own, in table order: next choices are spread
 * over the backends in proportion to their slots.
 */
final class MaglevTable implements HashRing {

    static final int DEFAULT_SIZE = 65537;
    static final int MIN_SIZE = 7;
    /** The largest prime below 2^24: a 64 MiB table. */
    static final int MAX_SIZE = 16777213;

    private final BackendSet backends;
    private final BackendState[] states;
    private final int[] table;

    MaglevTable(BackendSet backends, int size, HashFunction hash) {
        if (size < MIN_SIZE || size > MAX_SIZE || !isPrime(size)) {
            throw new IllegalArgumentException("tableSize: " + size + " (expected: a prime from " + MIN_SIZE + " to " + MAX_SIZE + ")");
        }
        this.backends = backends;
        this.states = backends.states().toArray(new BackendState[0]);
        int n = states.length;
        int[] offsets = new int[n];
        int[] skips = new int[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            long h1 = hash.hashBytes(states[i].backend().name().getBytes(StandardCharsets.UTF_8));
            long h2 = hash.hashLong(h1);
            offsets[i] = (int) Long.remainderUnsigned(h1, size);
            skips[i] = (int) Long.remainderUnsigned(h2, size - 1) + 1;
            weights[i] = states[i].weight();
        }
        this.table = n == 0 ? new int[0] : populate(offsets, skips, weights, size);
    }

    /** Fills {@code size} slots: in turn order, each backend claims the next free slot of its permutation. */
    static int[] populate(int[] offsets, int[] skips, int[] weights, int size) {
        int[] table = new int[size];
        Arrays.fill(table, -1);
        int[] candidate = offsets.clone(); // the slot each backend's permutation is at
        TurnOrder turns = new TurnOrder(weights);
        for (int filled = 0; filled < size; filled++) {
            int i = turns.next();
            int slot = candidate[i];
            int skip = skips[i];
            while (table[slot] >= 0) {
                slot += skip;
                if (slot >= size) {
                    slot -= size;
                }
            }
            table[slot] = i;
            slot += skip;
            candidate[i] = slot >= size ? slot - size : slot;
        }
        return table;
    }

    /** True when {@code value} is prime: trial division, enough for table sizes below 2^24. */
    static boolean isPrime(long value) {
        if (value < 2) {
            return false;
        }
        if (value % 2 == 0) {
            return value == 2;
        }
        for (long d = 3; d * d <= value; d += 2) {
            if (value % d == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public BackendSet backends() {
        return backends;
    }

    @Override
    public int first(long key) {
        // The top 32 bits scaled to [0, M): one multiply, no division (Lemire's fast range).
        return (int) (((key >>> 32) * table.length) >>> 32);
    }

    @Override
    public int next(long key, int cursor) {
        int next = cursor + 1;
        return next == table.length ? 0 : next;
    }

    @Override
    public BackendState at(long key, int cursor) {
        return states[table[cursor]];
    }

    @Override
    public int period() {
        return table.length;
    }

    int size() {
        return table.length;
    }

    /** Slots per backend, indexed like the set. */
    int[] slotCounts() {
        int[] counts = new int[states.length];
        for (int owner : table) {
            counts[owner]++;
        }
        return counts;
    }

    /** The backend index of a slot. */
    int owner(int slot) {
        return table[slot];
    }

    /**
     * Backends in the order of their turns: the k-th turn of backend i comes at virtual time
     * {@code (k + 1) / weight[i]}, ties to the lower index. A binary min-heap of backend indexes, so
     * a table of M slots costs O(M log N) whatever the spread of weights.
     */
    private static final class TurnOrder {
        private final int[] weights;
        private final long[] taken;
        private final int[] heap;

        TurnOrder(int[] weights) {
            this.weights = weights;
            this.taken = new long[weights.length];
            this.heap = new int[weights.length];
            for (int i = 0; i < heap.length; i++) {
                heap[i] = i;
            }
            for (int i = heap.length / 2 - 1; i >= 0; i--) {
                siftDown(i);
            }
        }

        /** The backend whose turn it is; counts the turn. */
        int next() {
            int i = heap[0];
            taken[i]++;
            siftDown(0);
            return i;
        }

        /** Whether a's next turn comes before b's: (taken[a] + 1) / w[a] < (taken[b] + 1) / w[b]. */
        private boolean before(int a, int b) {
            long left = (taken[a] + 1) * weights[b];
            long right = (taken[b] + 1) * weights[a];
            return left < right || (left == right && a < b);
        }

        private void siftDown(int position) {
            int n = heap.length;
            int item = heap[position];
            for (;;) {
                int child = 2 * position + 1;
                if (child >= n) {
                    break;
                }
                if (child + 1 < n && before(heap[child + 1], heap[child])) {
                    child++;
                }
                if (!before(heap[child], item)) {
                    break;
                }
                heap[position] = heap[child];
                position = child;
            }
            heap[position] = item;
        }
    }
}
