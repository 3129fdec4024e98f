package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic pseudo-random streams and their digests, for end-to-end integrity checks. */
public final class Streams {

    private Streams() {
    }

    /** Writes {@code size} bytes drawn from {@code seed} in chunks of varying length; returns their SHA-256. */
    public static String writeRandom(OutputStream out, long seed, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest digest = sha256();
        byte[] chunk = new byte[128 * 1024];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, 1 + random.nextInt(chunk.length));
            for (int i = 0; i < n; i++) {
                chunk[i] = (byte) random.nextInt();
            }
            out.write(chunk, 0, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads to end of stream; returns the byte count and SHA-256 of what came. */
    public static Received readAll(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return new Received(total, HexFormat.of().formatHex(digest.digest()));
    }

    public static String digest(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public record Received(long bytes, String sha256) {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
