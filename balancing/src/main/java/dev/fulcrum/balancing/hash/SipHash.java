package dev.fulcrum.balancing.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SipHash-c-d (Aumasson and Bernstein, 2012) over a byte array, allocation-free. {@link PythonHash}
 * uses SipHash-1-3 with a zero key, which is CPython's bytes hash with randomization off; the round
 * counts are parameters so the paper's SipHash-2-4 test vector can check the shared core.
 */
final class SipHash {

    private static final VarHandle LITTLE_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SipHash() {
    }

    static long hash(long k0, long k1, byte[] data, int compressionRounds, int finalizationRounds) {
        if (compressionRounds < 1) {
            throw new IllegalArgumentException("compressionRounds: " + compressionRounds + " (expected: >= 1)");
        }
        if (finalizationRounds < 1) {
            throw new IllegalArgumentException(
                    "finalizationRounds: " + finalizationRounds + " (expected: >= 1)");
        }
        // The state is four locals (an array or object would allocate per call), so the SipRound is
        // written out in both loops below.
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;

        int length = data.length;
        int wholeWords = length & ~7;
        // The last word holds the remaining bytes (little-endian) and the length's low byte on top.
        long last = (long) length << 56;
        for (int i = length - 1; i >= wholeWords; i--) {
            last |= (data[i] & 0xFFL) << (8 * (i - wholeWords));
        }
        for (int offset = 0; offset <= wholeWords; offset += 8) {
            long m = offset < wholeWords ? (long) LITTLE_ENDIAN_LONG.get(data, offset) : last;
            v3 ^= m;
            for (int r = 0; r < compressionRounds; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int r = 0; r < finalizationRounds; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
