package dev.fulcrum.balancing;

import java.net.InetSocketAddress;
import java.util.BitSet;

/**
 * What a policy knows of a new flow: its key (hashed, and raw for the policies that need it), the
 * client's address, and which backends it already tried. One per client connection, owned by the
 * connection's event loop (so not thread-safe, and never shared).
 *
 * <p>A failed connect is retried with {@link #markTried(BackendState)}; every policy skips the
 * backends a flow has tried when another one is eligible, so a retry lands elsewhere.
 */
public final class Flow {

    private final long keyHash;
    private final Object rawKey;
    private final InetSocketAddress client;
    private int attempt;
    private long triedLow;
    private BitSet triedHigh;

    public Flow(long keyHash, Object rawKey, InetSocketAddress client) {
        this.keyHash = keyHash;
        this.rawKey = rawKey;
        this.client = client;
    }

    /** A 64-bit hash of the flow's key, for the hashing policies. */
    public long keyHash() {
        return keyHash;
    }

    /** The key before hashing (an address, a host name), for policies that learn from it. */
    public Object rawKey() {
        return rawKey;
    }

    public InetSocketAddress client() {
        return client;
    }

    /** 0 for the first pick, then one more for each backend this flow tried. */
    public int attempt() {
        return attempt;
    }

    public void markTried(BackendState backend) {
        int index = backend.index();
        if (index < 64) {
            triedLow |= 1L << index;
        } else {
            if (triedHigh == null) {
                triedHigh = new BitSet();
            }
            triedHigh.set(index - 64);
        }
        attempt++;
    }

    public boolean hasTried(BackendState backend) {
        int index = backend.index();
        if (index < 64) {
            return (triedLow & (1L << index)) != 0;
        }
        return triedHigh != null && triedHigh.get(index - 64);
    }

    /** Whether a policy may pick this backend for this flow. */
    public boolean canUse(BackendState backend) {
        return backend.acceptsNewFlows() && !hasTried(backend);
    }
}
