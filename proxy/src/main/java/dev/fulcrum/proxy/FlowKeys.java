package dev.fulcrum.proxy;

import dev.fulcrum.balancing.Flow;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import java.net.InetSocketAddress;

/**
 * Turns a client address into a flow's balancing key and its 64-bit hash. The address is the
 * connection's peer, or the source a PROXY protocol header names when the listener reads one.
 */
final class FlowKeys {

    private FlowKeys() {
    }

    /** A new flow keyed on {@code client} as the listener's key kind says. */
    static Flow flow(FlowKey kind, InetSocketAddress client) {
        return new Flow(hash(kind, client), rawKey(kind, client), client);
    }

    static Object rawKey(FlowKey kind, InetSocketAddress client) {
        return kind == FlowKey.CLIENT_ADDRESS_PORT ? client : client.getAddress();
    }

    /**
     * A flow keyed on a TLS server name (lower case, as {@link ClientHelloSni} returns it): every
     * connection for one name shares a key, whoever the client.
     */
    static Flow serverNameFlow(String serverName, InetSocketAddress client) {
        long h = 0x243F6A8885A308D3L; // another seed than addresses', so a name never hashes as an address
        for (int i = 0; i < serverName.length(); i++) {
            h = mix(h ^ serverName.charAt(i));
        }
        return new Flow(mix(h ^ serverName.length()), serverName, client);
    }

    static long hash(FlowKey kind, InetSocketAddress client) {
        byte[] address = client.getAddress().getAddress();
        long h = 0x9E3779B97F4A7C15L;
        for (byte b : address) {
            h = mix(h ^ (b & 0xFF));
        }
        if (kind == FlowKey.CLIENT_ADDRESS_PORT) {
            h = mix(h ^ client.getPort());
        }
        return h;
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
