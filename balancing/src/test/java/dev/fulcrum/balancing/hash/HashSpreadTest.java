package dev.fulcrum.balancing.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Properties over many keys: every function is deterministic, and the two balancing functions
 * spread sequential keys evenly.
 *
 * <p>The keys start at a point drawn from a seed, {@code -Dfulcrum.hash.seed=...} (decimal or
 * {@code 0x} hex) to try another; every failure message names the seed in use.
 */
class HashSpreadTest {

    private static final long SEED = Long.getLong("fulcrum.hash.seed", 0x5EED_F1C4L);
    private static final int KEYS = 100_000;
    private static final int BINS = 64;
    /**
     * Chi-square over 64 bins has 63 degrees of freedom (mean 63, standard deviation 11.2); a
     * uniform hash exceeds 132 with probability below 1e-6, so a failure means a real skew.
     */
    private static final double MAX_CHI_SQUARE = 132;

    private static final List<HashFunction> ALL = List.of(HashFunctions.MURMUR3, HashFunctions.XXHASH64,
                                                          HashFunctions.BKDR, HashFunctions.PYTHON);
    private static final List<HashFunction> BALANCING = List.of(HashFunctions.MURMUR3, HashFunctions.XXHASH64);

    /** The first key: sequential keys from here stay exact as doubles (below 2^53). */
    private static long firstKey() {
        return new SplittableRandom(SEED).nextLong(1L << 40);
    }

    private static byte[] decimalBytes(long key) {
        return Long.toString(key).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void everyFunctionGivesTheSameHashForTheSameKeyEveryTime() {
        long first = firstKey();
        for (HashFunction function : ALL) {
            HashFunction byName = HashFunctions.byName(function.name());
            for (long key = first; key < first + 10_000; key++) {
                double fraction = key / 1024.0;
                byte[] bytes = decimalBytes(key);
                String as = function.name() + " key " + key + " seed " + SEED;
                assertThat(byName.hashLong(key)).as(as).isEqualTo(function.hashLong(key));
                assertThat(byName.hashDouble(fraction)).as(as).isEqualTo(function.hashDouble(fraction));
                assertThat(byName.hashBytes(bytes.clone())).as(as).isEqualTo(function.hashBytes(bytes));
            }
        }
    }

    @Test
    void hashingBytesLeavesThemUnchanged() {
        byte[] key = decimalBytes(firstKey());
        byte[] copy = key.clone();
        for (HashFunction function : ALL) {
            function.hashBytes(key);
            assertThat(key).as(function.name()).isEqualTo(copy);
        }
    }

    @Test
    void balancingFunctionsSpreadSequentialLongsOverSixtyFourBins() {
        for (HashFunction function : BALANCING) {
            assertSpread(function.name() + " hashLong", function::hashLong);
        }
    }

    @Test
    void balancingFunctionsSpreadSequentialDoublesOverSixtyFourBins() {
        for (HashFunction function : BALANCING) {
            assertSpread(function.name() + " hashDouble", key -> function.hashDouble((double) key));
        }
    }

    @Test
    void balancingFunctionsSpreadSequentialDecimalTextOverSixtyFourBins() {
        for (HashFunction function : BALANCING) {
            assertSpread(function.name() + " hashBytes", key -> function.hashBytes(decimalBytes(key)));
        }
    }

    /**
     * Hashes {@link #KEYS} sequential keys from {@link #firstKey()} into 64 bins, both by the low
     * six bits (a modulo-style bucket) and by the high six (a position on a ring), since a hash can
     * be even in one and skewed in the other.
     */
    private static void assertSpread(String what, LongUnaryOperator hashOfKey) {
        long[] lowBins = new long[BINS];
        long[] highBins = new long[BINS];
        long first = firstKey();
        for (long key = first; key < first + KEYS; key++) {
            long hash = hashOfKey.applyAsLong(key);
            lowBins[(int) (hash & (BINS - 1))]++;
            highBins[(int) (hash >>> 58)]++;
        }
        assertThat(chiSquare(lowBins)).as("%s, low bits, seed %d", what, SEED).isLessThan(MAX_CHI_SQUARE);
        assertThat(chiSquare(highBins)).as("%s, high bits, seed %d", what, SEED).isLessThan(MAX_CHI_SQUARE);
    }

    private static double chiSquare(long[] bins) {
        double expected = (double) KEYS / bins.length;
        double sum = 0;
        for (long count : bins) {
            sum += (count - expected) * (count - expected) / expected;
        }
        return sum;
    }

    @Test
    void pythonBaselinePutsSequentialKeysRoundRobinNotRandomly() {
        // Not a spread requirement: the documented weakness the DLB paper measures. Sequential
        // ints hash to themselves, so the low bits cycle through the bins in order.
        long first = firstKey();
        for (int i = 0; i < BINS * 4; i++) {
            long hash = HashFunctions.PYTHON.hashLong(first + i);
            assertThat(hash & (BINS - 1)).as("seed %d", SEED).isEqualTo((first + i) & (BINS - 1));
        }
    }
}
