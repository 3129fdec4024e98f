package dev.fulcrum.learned.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys the learned hash really sees, handed from the event loops to the control thread without
 * waiting: a pick stores its encoded key in a fixed ring (one atomic increment, one store, no
 * allocation, no lock), and the control thread drains what was written since its last drain.
 *
 * <p>Lossy by design: when more keys arrive between two drains than the ring holds, the oldest are
 * overwritten and counted as {@link #dropped()}; a slot whose writer has taken its index but not yet
 * stored reads as the value it held before (or NaN, never written). For a distribution estimate and
 * a retraining sample that is harmless, and it keeps the pick path free of any coordination.
 */
final class KeyTap {

    static final int DEFAULT_CAPACITY = 1 << 16;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long EMPTY = Double.doubleToRawLongBits(Double.NaN);

    private final long[] slots;
    private final int mask;
    private final AtomicLong written = new AtomicLong();
    private long read;
    private long dropped;

    KeyTap(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: a power of two)");
        }
        this.slots = new long[capacity];
        this.mask = capacity - 1;
        java.util.Arrays.fill(slots, EMPTY);
    }

    /** Event loops: records one encoded key (NaN keys are not recorded). */
    void record(double encodedKey) {
        if (encodedKey == encodedKey) {
            long index = written.getAndIncrement();
            SLOTS.setOpaque(slots, (int) index & mask, Double.doubleToRawLongBits(encodedKey));
        }
    }

    /** Control thread only: the keys written since the last drain, oldest first; returns how many. */
    int drain(KeySink sink) {
        long end = written.get();
        long start = read;
        if (end - start > slots.length) {
            dropped += end - start - slots.length;
            start = end - slots.length;
        }
        int n = 0;
        for (long i = start; i < end; i++) {
            double key = Double.longBitsToDouble((long) SLOTS.getOpaque(slots, (int) i & mask));
            if (key == key) {
                sink.accept(key);
                n++;
            }
        }
        read = end;
        return n;
    }

    /** Keys lost because more arrived between two drains than the ring holds. */
    long dropped() {
        return dropped;
    }

    long written() {
        return written.get();
    }

    interface KeySink {
        void accept(double encodedKey);
    }
}
