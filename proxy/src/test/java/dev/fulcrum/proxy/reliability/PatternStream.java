package dev.fulcrum.proxy.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A byte stream whose every byte is a function of (seed, position), so a reader can check each
 * byte as it comes, and tell a stream that was cut short (a prefix, fine after a fault) from one
 * that was corrupted (a wrong byte, never fine).
 */
final class PatternStream {

    private PatternStream() {
    }

    static byte byteAt(long seed, long position) {
        long block = mix(seed * 0x9E3779B97F4A7C15L + (position >>> 3));
        return (byte) (block >>> ((position & 7) * 8));
    }

    /** SplitMix64's finaliser: consecutive blocks look unrelated. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Writes bytes [from, from + size) of the stream in chunks of {@code chunk}. */
    static void write(OutputStream out, long seed, long from, long size, int chunk) throws IOException {
        byte[] buffer = new byte[chunk];
        long position = from;
        long end = from + size;
        while (position < end) {
            int n = (int) Math.min(chunk, end - position);
            for (int i = 0; i < n; i++) {
                buffer[i] = byteAt(seed, position + i);
            }
            out.write(buffer, 0, n);
            position += n;
        }
        out.flush();
    }

    static void write(OutputStream out, long seed, long size) throws IOException {
        write(out, seed, 0, size, 32 * 1024);
    }

    /**
     * Reads until end of stream or a failure, checking every byte; returns how many bytes came in
     * order. Throws {@link CorruptByte} at the first wrong byte; an {@link IOException} (reset,
     * timeout) is returned as the {@code failure} of the result, not thrown.
     */
    static Checked readAndCheck(InputStream in, long seed, long expected) throws CorruptByte {
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    byte want = byteAt(seed, position);
                    if (buffer[i] != want || position >= expected) {
                        throw new CorruptByte("seed " + seed + ": byte " + position + " is " + buffer[i]
                                + (position >= expected ? " past the end " + expected : " (expected: " + want + ")"));
                    }
                    position++;
                }
            }
            return new Checked(position, null);
        } catch (IOException failure) {
            return new Checked(position, failure);
        }
    }

    /** What a reader got: {@code bytes} correct bytes in order, then end of stream or {@code failure}. */
    record Checked(long bytes, IOException failure) {
        boolean complete(long expected) {
            return bytes == expected && failure == null;
        }
    }

    static final class CorruptByte extends Exception {
        CorruptByte(String message) {
            super(message);
        }
    }
}
