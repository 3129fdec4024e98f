package dev.fulcrum.proxy.config;

import java.net.InetSocketAddress;

/**
 * A host (name or literal address) and a port, as written in the file: {@code 127.0.0.1:8080},
 * {@code [::1]:8080}, {@code backend.internal:80}. Port 0 (bind only) asks the system for a free port.
 */
public record HostPort(String host, int port) {

    /** An unresolved socket address: resolution happens off the event loops, when the address is used. */
    public InetSocketAddress toUnresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
