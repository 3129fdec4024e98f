package dev.fulcrum.proxy;

import dev.fulcrum.proxy.config.PoolOperations.SendProxyProtocol;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Sends a PROXY protocol header (HAProxy's spec, v1 text or v2 binary) as the first bytes of a
 * backend connection, for pools with {@code sendProxyProtocol}: the source is the flow's client (the
 * connection's peer, or the source an inbound PROXY header named), the destination the address the
 * client connected to. Netty's {@link HAProxyMessageEncoder} writes the bytes; it is added for that
 * one write and removed, so relayed buffers never pass through it.
 *
 * <p>The header names one address family: when the client and the listener differ (an IPv4 client
 * on a dual-stack IPv6 socket), the IPv4 one is written as its IPv4-mapped IPv6 form.
 */
final class ProxyHeaderSender {

    private ProxyHeaderSender() {
    }

    /** Writes the header on a just-connected backend channel (on its event loop), before anything else. */
    static void send(Channel backend, SendProxyProtocol version, InetSocketAddress source, InetSocketAddress destination) {
        HAProxyMessage header = header(version, source, destination);
        backend.pipeline().addFirst(HAProxyMessageEncoder.INSTANCE);
        try {
            backend.write(header, backend.voidPromise());
        } finally {
            backend.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        }
    }

    static HAProxyMessage header(SendProxyProtocol version, InetSocketAddress source, InetSocketAddress destination) {
        InetAddress src = source.getAddress();
        InetAddress dst = destination.getAddress();
        boolean v6 = src instanceof Inet6Address || dst instanceof Inet6Address;
        return new HAProxyMessage(version == SendProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY, v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
                literal(src, v6), literal(dst, v6), source.getPort(), destination.getPort());
    }

    private static String literal(InetAddress address, boolean v6) {
        if (v6 && address instanceof Inet4Address) {
            return "::ffff:" + address.getHostAddress();
        }
        String text = address.getHostAddress();
        int scope = text.indexOf('%'); // a scope id (fe80::1%eth0) is local to this host
        return scope >= 0 ? text.substring(0, scope) : text;
    }
}
