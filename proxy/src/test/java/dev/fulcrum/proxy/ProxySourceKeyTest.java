package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ProxyProtocolTest.greeter;
import static dev.fulcrum.proxy.ProxyProtocolTest.greeting;
import static dev.fulcrum.proxy.ProxyProtocolTest.v1;
import static dev.fulcrum.proxy.ProxyProtocolTest.v2Local;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code key: proxy-source} on real sockets: the inbound header's source address, else the connection's. */
class ProxySourceKeyTest {

    @Test
    void flowsAreKeyedOnTheHeaderSourceAndALocalHeaderFallsBackToTheConnection() throws Exception {
        List<TestServer> backends = List.of(greeter("b0"), greeter("b1"), greeter("b2"), greeter("b3"));
        TestConfigs builder = TestConfigs.builder().policy("rendezvous").key(FlowKey.PROXY_SOURCE)
                .proxyProtocol(ProxyProtocol.ANY);
        backends.forEach(b -> builder.backend(b.port()));
        try (FulcrumProxy proxy = FulcrumProxy.start(builder.build())) {
            Set<String> oneSource = new HashSet<>();
            for (int port = 2000; port < 2006; port++) {
                oneSource.add(greeting(proxy, v1("198.51.100.20", port)));
            }
            assertThat(oneSource).as("one source address, any port: one backend").hasSize(1);
            Set<String> sources = new HashSet<>();
            for (int host = 1; host <= 24; host++) {
                sources.add(greeting(proxy, v1("198.51.100." + host, 2000)));
            }
            assertThat(sources).hasSizeGreaterThan(1);
            Set<String> local = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                local.add(greeting(proxy, v2Local())); // no source in the header: the connection's 127.0.0.1
            }
            assertThat(local).hasSize(1);
        } finally {
            for (TestServer b : backends) {
                b.close();
            }
        }
    }
}
