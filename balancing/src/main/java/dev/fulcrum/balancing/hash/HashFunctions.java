package dev.fulcrum.balancing.hash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.openhft.hashing.LongHashFunction;

/**
 * The hash functions a pool can name ({@code policy: {type: maglev, hash: xxhash64}}).
 *
 * <p>Murmur3 (the default) and xxHash64 are for balancing. BKDR and Python's {@code hash()} are the
 * DLB paper's baselines, bit-exact with what Python computes for the same keys (each class states
 * the exact bytes it hashes) so the paper's comparisons can be reproduced. They mix keys poorly,
 * which is what the paper measures, so production pools should not name them.
 *
 * <pre>{@code
 * HashFunction hash = HashFunctions.byName("murmur3");
 * long h = hash.hashBytes("backend-1".getBytes(StandardCharsets.UTF_8));
 * }</pre>
 */
public final class HashFunctions {

    /** Murmur3 (x64, 128-bit, low 64 bits, seed 0): the default, and one of the DLB paper's baselines. */
    public static final HashFunction MURMUR3 = new OpenHftHash("murmur3", LongHashFunction.murmur_3());
    /** xxHash64 (seed 0). */
    public static final HashFunction XXHASH64 = new OpenHftHash("xxhash64", LongHashFunction.xx());
    /** BKDR (seed 131, 64-bit) over Python's text of the key: a DLB paper baseline; see {@link BkdrHash}. */
    public static final HashFunction BKDR = new BkdrHash();
    /** CPython's built-in {@code hash()}: a DLB paper baseline; see {@link PythonHash}. */
    public static final HashFunction PYTHON = new PythonHash();
    public static final HashFunction DEFAULT = MURMUR3;

    private static final Map<String, HashFunction> BY_NAME = new LinkedHashMap<>();

    static {
        register(MURMUR3);
        register(XXHASH64);
        register(BKDR);
        register(PYTHON);
    }

    private HashFunctions() {
    }

    private static void register(HashFunction function) {
        BY_NAME.put(function.name(), function);
    }

    /** The function with that name, or {@code null}. */
    public static HashFunction byName(String name) {
        return BY_NAME.get(name);
    }

    /** Every name, in registration order, for error messages and help. */
    public static List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(BY_NAME.keySet()));
    }

    /**
     * Hashes through OpenHFT's zero-allocation implementations. A long key is hashed as its 8 bytes
     * little-endian (OpenHFT's byte-order-independent convention), a double as the long of
     * {@link Double#doubleToLongBits} (so every NaN alike); the golden vectors pin both forms.
     */
    private record OpenHftHash(String name, LongHashFunction function) implements HashFunction {
        @Override
        public long hashLong(long key) {
            return function.hashLong(key);
        }

        @Override
        public long hashBytes(byte[] key) {
            return function.hashBytes(key);
        }

        @Override
        public long hashDouble(double key) {
            return function.hashLong(Double.doubleToLongBits(key));
        }
    }
}
