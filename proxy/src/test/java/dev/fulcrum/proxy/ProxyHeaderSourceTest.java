package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Flow;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which client a PROXY header names, and the flow key made from it. */
class ProxyHeaderSourceTest {

    @Test
    void aProxyCommandNamesItsSourceAddressAndPort() {
        assertThat(sourceOf(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP4, "203.0.113.7", "10.0.0.1", 4242, 443)))
                .isEqualTo(new InetSocketAddress("203.0.113.7", 4242));
        assertThat(sourceOf(new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP6, "2001:db8::7", "2001:db8::1", 4242, 443)))
                .isEqualTo(new InetSocketAddress("2001:db8::7", 4242));
    }

    @Test
    void aLocalCommandOrAnUnknownFamilyKeepsTheConnectionsAddress() {
        assertThat(sourceOf(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL,
                HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0))).isNull();
        assertThat(sourceOf(new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0))).isNull();
    }

    @Test
    void aFlowKeyedOnTheHeadersSourceHashesLikeADirectFlowFromThatClient() {
        InetSocketAddress source = new InetSocketAddress("203.0.113.7", 4242);
        InetSocketAddress loadBalancer = new InetSocketAddress("127.0.0.1", 50_000);
        for (FlowKey kind : FlowKey.values()) {
            Flow fromHeader = FlowKeys.flow(kind, source);
            assertThat(fromHeader.keyHash()).as(kind.configName()).isEqualTo(FlowKeys.hash(kind, source))
                    .isNotEqualTo(FlowKeys.hash(kind, loadBalancer));
            assertThat(fromHeader.rawKey()).isEqualTo(FlowKeys.rawKey(kind, source));
            assertThat(fromHeader.client()).isEqualTo(source);
        }
        Function<Integer, Long> byAddress = port -> FlowKeys.flow(FlowKey.CLIENT_ADDRESS,
                new InetSocketAddress("203.0.113.7", port)).keyHash();
        assertThat(byAddress.apply(1)).as("client-address ignores the port").isEqualTo(byAddress.apply(2));
    }

    /** The source of a header, which is released as the proxy releases it. */
    private static InetSocketAddress sourceOf(HAProxyMessage header) {
        try {
            return ProxyHeaderReader.sourceOf(header);
        } finally {
            header.release();
        }
    }
}
