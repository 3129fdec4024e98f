package dev.fulcrum.proxy.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token that protects the admin API's mutating routes. It never appears in
 * {@link #toString()}, logs or the normalised configuration; comparing is constant-time over
 * SHA-256 digests, so neither the token's content nor its length leaks through timing.
 */
public final class AdminToken {

    /** The environment variable read when {@code admin.tokenFile} is not set. */
    public static final String ENVIRONMENT_VARIABLE = "FULCRUM_ADMIN_TOKEN";

    private final byte[] digest;

    private AdminToken(byte[] digest) {
        this.digest = digest;
    }

    /** A token from its text (already trimmed, not empty). */
    public static AdminToken of(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token: empty (expected: at least one character)");
        }
        return new AdminToken(sha256(token));
    }

    /** Whether {@code presented} is this token; {@code null} never is. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdminToken other && MessageDigest.isEqual(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return 0; // equal tokens must hash alike, and the digest is not for hash tables
    }

    @Override
    public String toString() {
        return "AdminToken[redacted]";
    }
}
