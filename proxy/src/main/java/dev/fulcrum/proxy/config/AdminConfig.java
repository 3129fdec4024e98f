package dev.fulcrum.proxy.config;

import java.nio.file.Path;

/**
 * @param enabled   false turns the admin API off ({@code admin: {address: off}})
 * @param address   where the admin HTTP API listens; default {@code 127.0.0.1:9901}
 * @param tokenFile the file the bearer token was read from ({@code admin.tokenFile}), or {@code null}
 * @param token     the bearer token the mutating routes (every POST) require, from {@code tokenFile} or
 *                  else the environment variable {@value AdminToken#ENVIRONMENT_VARIABLE}; {@code null}
 *                  leaves them open (to whoever reaches the address, loopback by default)
 */
public record AdminConfig(boolean enabled, HostPort address, Path tokenFile, AdminToken token) {

    public static final AdminConfig DEFAULT = new AdminConfig(true, new HostPort("127.0.0.1", 9901));

    /** {@code admin: {address: off}}; the address is the default one, unused. */
    public static final AdminConfig OFF = new AdminConfig(false, DEFAULT.address());

    /** Without a token. */
    public AdminConfig(boolean enabled, HostPort address) {
        this(enabled, address, null, null);
    }

    /** The same API with another token. */
    public AdminConfig withToken(Path tokenFile, AdminToken token) {
        return new AdminConfig(enabled, address, tokenFile, token);
    }
}
