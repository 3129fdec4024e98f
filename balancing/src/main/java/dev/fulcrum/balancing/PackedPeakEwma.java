package dev.fulcrum.balancing;

/**
 * A {@link PeakEwma} state, the estimate and the time of its last sample, packed into one
 * {@code long} so that a single compare-and-set updates both and a single read sees both from the
 * same moment. Event loops of every thread update it with no lock and no allocation.
 *
 * <pre>
 *  63                             29 28                          0
 * +---------------------------------+-----------------------------+
 * | stamp: 35 bits, ticks of 2^20 ns | estimate: 29 bits           |
 * +---------------------------------+-----------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>Estimate</b>: the bits of the {@code float} nearest the estimate in nanoseconds, minus the
 *       bits of {@code 1.0f}, plus 1. Estimates are kept between 1 ns and 2^62 ns, so the float's
 *       sign is always 0 and its exponent needs 6 bits, not 8; its 23-bit mantissa keeps one part in
 *       2^24. Zero means "no sample yet", which no estimate encodes to.
 *   <li><b>Stamp</b>: {@code nanoTime >> 20} (ticks of 1.048576 ms) modulo 2^35, so times wrap every
 *       2^55 ns (1.14 years). Ticks are fine enough for decay times of 100 ms and up (the shortest a
 *       policy accepts), and coarse ticks help the float: samples within one tick leave the stamp
 *       alone, so the weight of the time since the last sample is applied in steps of at least one
 *       tick instead of in slivers a float could not hold.
 * </ul>
 *
 * <p>Precision: a blend smaller than half a float's step (2^-24 of the estimate) is lost. With one
 * sample per tick, a steady run of samples closer to the estimate than about 0.06% (decay 10 s) or
 * 1.7% (decay 5 m, the longest accepted) leaves it where it is; a load balancer's cost can live
 * with that, and peaks are never lost.
 *
 * <p>Elapsed time is computed modulo the wrap, so it is right for gaps up to 1.14 years minus
 * {@link #SKEW_TICKS}; System.nanoTime overflowing is harmless. A sample recorded with a clock
 * reading slightly older than the stamp (another event loop got its CAS in first) counts as no
 * time elapsed and keeps the newer stamp.
 */
final class PackedPeakEwma {

    static final long NO_SAMPLE = 0L;

    static final int TICK_SHIFT = 20;
    static final int ESTIMATE_BITS = 29;
    static final int STAMP_BITS = Long.SIZE - ESTIMATE_BITS;
    static final long ESTIMATE_MASK = (1L << ESTIMATE_BITS) - 1;
    static final long STAMP_MASK = (1L << STAMP_BITS) - 1;
    /** A stamp up to 2^24 ticks (4.9 hours) ahead of the reader's clock is another writer's, not a wrap. */
    static final long SKEW_TICKS = 1L << 24;

    static final double MIN_ESTIMATE_NANOS = 1.0;
    static final double MAX_ESTIMATE_NANOS = 0x1p62;
    private static final int ONE_BITS = Float.floatToRawIntBits(1.0f);

    private PackedPeakEwma() {
    }

    /** The word after a sample of {@code sampleNanos} measured at {@code nowNanos}. */
    static long observe(long word, long sampleNanos, long nowNanos, double tauNanos) {
        long nowTicks = ticks(nowNanos);
        if (!hasSample(word)) {
            return pack(nowTicks, encode(sampleNanos));
        }
        long elapsedTicks = elapsedTicks(word, nowTicks);
        double next = PeakEwma.observe(decode(word), clamp(sampleNanos), (double) (elapsedTicks << TICK_SHIFT), tauNanos);
        return pack(elapsedTicks == 0 ? stampTicks(word) : nowTicks, encode(next));
    }

    /** The estimate a reader sees at {@code nowNanos}: decayed toward zero since the last sample; 0 without one. */
    static double estimateNanos(long word, long nowNanos, double tauNanos) {
        if (!hasSample(word)) {
            return 0.0;
        }
        long elapsedTicks = elapsedTicks(word, ticks(nowNanos));
        double estimate = decode(word);
        return elapsedTicks == 0 ? estimate : PeakEwma.decayed(estimate, (double) (elapsedTicks << TICK_SHIFT), tauNanos);
    }

    static boolean hasSample(long word) {
        return (word & ESTIMATE_MASK) != 0;
    }

    /** The estimate as stored at the last sample, not decayed. */
    static double storedEstimateNanos(long word) {
        return hasSample(word) ? decode(word) : 0.0;
    }

    static long ticks(long nanos) {
        return (nanos >> TICK_SHIFT) & STAMP_MASK;
    }

    static long stampTicks(long word) {
        return word >>> ESTIMATE_BITS;
    }

    static long elapsedTicks(long word, long nowTicks) {
        long elapsed = (nowTicks - stampTicks(word)) & STAMP_MASK;
        return elapsed > STAMP_MASK - SKEW_TICKS ? 0 : elapsed;
    }

    private static long pack(long stampTicks, long estimateBits) {
        return (stampTicks << ESTIMATE_BITS) | estimateBits;
    }

    private static double clamp(double nanos) {
        return Math.min(Math.max(nanos, MIN_ESTIMATE_NANOS), MAX_ESTIMATE_NANOS);
    }

    static long encode(double nanos) {
        return Float.floatToRawIntBits((float) clamp(nanos)) - ONE_BITS + 1L;
    }

    static double decode(long word) {
        return Float.intBitsToFloat((int) ((word & ESTIMATE_MASK) - 1 + ONE_BITS));
    }
}
