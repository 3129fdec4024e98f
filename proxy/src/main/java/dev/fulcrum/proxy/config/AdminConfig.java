package dev.fulcrum.proxy.config;

/**
 * @param enabled false turns the admin API off ({@code admin: {address: off}})
 * @param address where the admin HTTP API listens; default {@code 127.0.0.1:9901}
 */
public record AdminConfig(boolean enabled, HostPort address) {

    public static final AdminConfig DEFAULT = new AdminConfig(true, new HostPort("127.0.0.1", 9901));

    /** {@code admin: {address: off}}; the address is the default one, unused. */
    public static final AdminConfig OFF = new AdminConfig(false, DEFAULT.address());
}
