package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.config.PoolOperations;
import dev.fulcrum.proxy.config.PoolOperations.SendProxyProtocol;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code sendProxyProtocol} on real sockets: the backend's first bytes are a PROXY header that
 * Netty's decoder parses, naming the client (or the client an inbound header named), and every
 * client byte follows it unchanged.
 */
class SendProxyProtocolTest {

    /** Parses the PROXY header and answers "version source:port destination:port digest-of-rest". */
    private static TestServer headerReader() throws IOException {
        return TestServer.start(socket -> {
            byte[] all = socket.getInputStream().readAllBytes();
            EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
            decoder.writeInbound(Unpooled.wrappedBuffer(all));
            HAProxyMessage header = decoder.readInbound();
            StringBuilder reply = new StringBuilder();
            if (header == null) {
                reply.append("no header");
            } else {
                reply.append(header.protocolVersion()).append(' ').append(header.sourceAddress()).append(':')
                        .append(header.sourcePort()).append(' ').append(header.destinationAddress()).append(':')
                        .append(header.destinationPort());
                header.release();
            }
            ByteBuf rest = decoder.readInbound();
            byte[] restBytes = new byte[rest == null ? 0 : rest.readableBytes()];
            if (rest != null) {
                rest.readBytes(restBytes);
                rest.release();
            }
            decoder.finishAndReleaseAll();
            reply.append(' ').append(java.util.Arrays.hashCode(restBytes)).append(' ').append(restBytes.length);
            socket.getOutputStream().write(reply.toString().getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
        });
    }

    private static String exchange(FulcrumProxy proxy, byte[] prefix, byte[] payload, int[] localPort) throws IOException {
        try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(10_000);
            localPort[0] = client.getLocalPort();
            client.getOutputStream().write(prefix);
            client.getOutputStream().write(payload);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SendProxyProtocol.class, names = {"V1", "V2"})
    void headerNamesTheClientAndComesBeforeEveryRelayedByte(SendProxyProtocol version) throws Exception {
        byte[] payload = new byte[300_000];
        new Random(7).nextBytes(payload);
        try (TestServer backend = headerReader();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder()
                        .operations(new PoolOperations(null, null, version)).backend(backend.port()).build())) {
            int[] port = new int[1];
            String reply = exchange(proxy, new byte[0], payload, port);
            int listenerPort = proxy.listenerAddress(TestConfigs.LISTENER).getPort();
            assertThat(reply).isEqualTo(version.name() + " 127.0.0.1:" + port[0] + " 127.0.0.1:" + listenerPort + " "
                    + java.util.Arrays.hashCode(payload) + " " + payload.length);
            assertThat(backend.failures()).isEmpty();
        }
    }

    @Test
    void sourceIsTheClientAnInboundHeaderNamed() throws Exception {
        try (TestServer backend = headerReader();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.V1)
                        .operations(new PoolOperations(null, null, SendProxyProtocol.V2)).backend(backend.port()).build())) {
            byte[] inbound = "PROXY TCP4 203.0.113.9 10.0.0.1 4711 443\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
            String reply = exchange(proxy, inbound, payload, new int[1]);
            assertThat(reply).startsWith("V2 203.0.113.9:4711 127.0.0.1:")
                    .endsWith(" " + java.util.Arrays.hashCode(payload) + " 5");
        }
    }

    @Test
    void ipv6ClientHeaderFromAnIpv4ListenerUsesMappedAddresses() {
        HAProxyMessage header = ProxyHeaderSender.header(SendProxyProtocol.V2,
                new java.net.InetSocketAddress("2001:db8::7", 1000), new java.net.InetSocketAddress("127.0.0.1", 80));
        try {
            assertThat(header.sourceAddress()).isEqualTo("2001:db8:0:0:0:0:0:7");
            assertThat(header.destinationAddress()).isEqualTo("::ffff:127.0.0.1");
            EmbeddedChannel channel = new EmbeddedChannel(io.netty.handler.codec.haproxy.HAProxyMessageEncoder.INSTANCE,
                    new HAProxyMessageDecoder());
            header.retain();
            assertThat(channel.writeOutbound(header)).isTrue();
            ByteBuf encoded = channel.readOutbound();
            channel.writeInbound(encoded);
            HAProxyMessage decoded = channel.readInbound();
            assertThat(decoded.sourcePort()).isEqualTo(1000);
            assertThat(decoded.destinationAddress()).contains("7f00:1").as("IPv4-mapped 127.0.0.1");
            decoded.release();
            channel.finishAndReleaseAll();
        } finally {
            header.release();
        }
    }
}
