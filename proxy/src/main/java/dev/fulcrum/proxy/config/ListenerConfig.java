package dev.fulcrum.proxy.config;

import java.time.Duration;

/**
 * One listening socket and how its flows are handled.
 *
 * @param name            the key under {@code listeners}
 * @param bind            address to listen on
 * @param pool            the pool (a key under {@code pools}) its flows go to
 * @param key             what a flow's balancing key is made of
 * @param maxConnections  open client connections allowed at once; over it, a new one is closed at once and counted
 * @param connectTimeout  how long a backend connect may take before the next backend is tried
 * @param connectAttempts backends tried per flow before the client is closed ({@code >= 1})
 * @param idleTimeout     a flow with no byte either way for this long is closed; {@link Duration#ZERO} for never
 * @param writeBuffer     per-connection water marks that pause the other side's reads
 * @param proxyProtocol   whether each client connection starts with a PROXY protocol header, and which versions
 * @param proxyProtocolTimeout how long a client may take to send its whole PROXY header (unused when off)
 * @param sniTimeout      how long a client may take to send its TLS ClientHello on an sni-keyed listener
 */
public record ListenerConfig(
        String name,
        HostPort bind,
        String pool,
        FlowKey key,
        int maxConnections,
        Duration connectTimeout,
        int connectAttempts,
        Duration idleTimeout,
        WaterMarks writeBuffer,
        ProxyProtocol proxyProtocol,
        Duration proxyProtocolTimeout,
        Duration sniTimeout) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_CONNECT_ATTEMPTS = 3;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_PROXY_PROTOCOL_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_SNI_TIMEOUT = Duration.ofSeconds(3);

    /** A listener with the default {@code sniTimeout}. */
    public ListenerConfig(String name, HostPort bind, String pool, FlowKey key, int maxConnections,
            Duration connectTimeout, int connectAttempts, Duration idleTimeout, WaterMarks writeBuffer,
            ProxyProtocol proxyProtocol, Duration proxyProtocolTimeout) {
        this(name, bind, pool, key, maxConnections, connectTimeout, connectAttempts, idleTimeout, writeBuffer,
                proxyProtocol, proxyProtocolTimeout, DEFAULT_SNI_TIMEOUT);
    }

    /** A listener without PROXY protocol, as every listener was before the field existed. */
    public ListenerConfig(String name, HostPort bind, String pool, FlowKey key, int maxConnections,
            Duration connectTimeout, int connectAttempts, Duration idleTimeout, WaterMarks writeBuffer) {
        this(name, bind, pool, key, maxConnections, connectTimeout, connectAttempts, idleTimeout, writeBuffer,
                ProxyProtocol.OFF, DEFAULT_PROXY_PROTOCOL_TIMEOUT, DEFAULT_SNI_TIMEOUT);
    }

    /** What the balancing key of a flow is made of. */
    public enum FlowKey {
        /** The client's IP address: all connections of one client share a key. */
        CLIENT_ADDRESS("client-address"),
        /** The client's IP address and port: every connection has its own key. */
        CLIENT_ADDRESS_PORT("client-address-port"),
        /**
         * The server name of the client's TLS ClientHello, read without terminating TLS; the client's
         * IP address when there is none (not TLS, no name, malformed, too slow).
         */
        SNI("sni"),
        /**
         * The source address of the inbound PROXY header (the real client behind a load balancer);
         * the connection's own peer address when there is no header or it names no address.
         */
        PROXY_SOURCE("proxy-source");

        private final String configName;

        FlowKey(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /**
     * Whether client connections start with a PROXY protocol header (HAProxy's spec, versions 1 and
     * 2), sent by a load balancer in front of Fulcrum to pass on the real client's address.
     */
    public enum ProxyProtocol {
        /** No header: the first bytes are the client's and are relayed untouched. */
        OFF("off"),
        /** A text (v1) header is required. */
        V1("v1"),
        /** A binary (v2) header is required. */
        V2("v2"),
        /** Either version, told apart by the first bytes. */
        ANY("any");

        private final String configName;

        ProxyProtocol(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /**
     * Netty's write-buffer water marks: past {@code high} bytes queued for a socket, the other
     * side stops reading until the queue falls under {@code low}.
     */
    public record WaterMarks(int low, int high) {
        public static final WaterMarks DEFAULT = new WaterMarks(32 * 1024, 64 * 1024);
    }
}
