package dev.fulcrum.balancing.hash;

/**
 * A 64-bit hash of balancing keys. Implementations are stateless, thread-safe and allocate
 * nothing, so a policy may call them on the pick path. (One documented exception: {@link BkdrHash}
 * hashes a double key as Python's text of it, and formatting any but a small whole number allocates.)
 *
 * <p>Keys come in three shapes: a 64-bit value (a flow's key, already mixed by the proxy), bytes
 * (a backend's name when placing it on a ring, a TLS server name), and a double (the numeric keys of
 * the DLB paper's experiments).
 */
public interface HashFunction {

    /** The name used in configuration and reports: {@code murmur3}, {@code xxhash64}, ... */
    String name();

    long hashLong(long key);

    long hashBytes(byte[] key);

    long hashDouble(double key);
}
