package dev.fulcrum.proxy;

import dev.fulcrum.proxy.testing.FulcrumProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.HostPort;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** Listeners added, removed and moved by a reload; a bind that fails refuses the whole reload. */
class ListenerReloadTest {

    @Test
    void aListenerAddedByReloadIsBoundAndOneRemovedIsClosedWhileItsOpenFlowGoesOn() throws Exception {
        try (TestServer echo = TestServer.echo()) {
            FulcrumConfig base = TestConfigs.builder().backend(echo.port()).build();
            ListenerConfig test = base.listeners().get(TestConfigs.LISTENER);
            ListenerConfig second = renamed(test, "second", test.bind());
            try (FulcrumProxy proxy = FulcrumProxy.start(base)) {
                ReloadResult added = proxy.reload(ReloadConfigs.withListeners(base, test, second));

                assertThat(added.isOk()).as("%s", added).isTrue();
                assertThat(added.changes().listenersAdded()).singleElement().asString().startsWith("second");
                int secondPort = proxy.listenerAddress("second").getPort();
                Socket open = new Socket("127.0.0.1", secondPort);
                EchoRoundTrip.assertEchoes(open, "before");

                ReloadResult removed = proxy.reload(base);

                assertThat(removed.changes().listenersRemoved()).containsExactly("second");
                assertThatThrownBy(() -> proxy.listenerAddress("second")).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> new Socket("127.0.0.1", secondPort).close()).isInstanceOf(ConnectException.class);
                EchoRoundTrip.assertEchoes(open, "after the listener was removed");
                open.close();
                TestWaits.until(() -> proxy.status().listeners().size() == 1, "one listener in the status");
                try (Socket first = new Socket("127.0.0.1", proxy.listenerAddress(TestConfigs.LISTENER).getPort())) {
                    EchoRoundTrip.assertEchoes(first, "the other listener");
                }
            }
        }
    }

    @Test
    void aChangedAddressRebindsAndTheOldSocketsFlowGoesOn() throws Exception {
        try (TestServer echo = TestServer.echo()) {
            FulcrumConfig base = TestConfigs.builder().backend(echo.port()).build();
            ListenerConfig test = base.listeners().get(TestConfigs.LISTENER);
            try (FulcrumProxy proxy = FulcrumProxy.start(base)) {
                int oldPort = proxy.listenerAddress(TestConfigs.LISTENER).getPort();
                Socket open = new Socket("127.0.0.1", oldPort);
                EchoRoundTrip.assertEchoes(open, "before");
                int newPort = FulcrumProcesses.freePort();

                ReloadResult moved = proxy.reload(ReloadConfigs.withListeners(base,
                        renamed(test, TestConfigs.LISTENER, new HostPort("127.0.0.1", newPort))));

                assertThat(moved.isOk()).as("%s", moved).isTrue();
                assertThat(moved.changes().listenersRebound()).hasSize(1);
                assertThat(proxy.listenerAddress(TestConfigs.LISTENER).getPort()).isEqualTo(newPort);
                assertThatThrownBy(() -> new Socket("127.0.0.1", oldPort).close()).isInstanceOf(ConnectException.class);
                try (Socket fresh = new Socket("127.0.0.1", newPort)) {
                    EchoRoundTrip.assertEchoes(fresh, "on the new address");
                }
                EchoRoundTrip.assertEchoes(open, "on the old socket, after the move");
                open.close();
            }
        }
    }

    @Test
    void aBindThatFailsRefusesTheWholeReloadAndKeepsTheOldState() throws Exception {
        try (TestServer echo = TestServer.echo();
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FulcrumConfig base = TestConfigs.builder().backend(echo.port()).build();
            ListenerConfig test = base.listeners().get(TestConfigs.LISTENER);
            try (FulcrumProxy proxy = FulcrumProxy.start(base)) {
                String checksum = proxy.configChecksum();
                FulcrumConfig next = ReloadConfigs.withListeners(base, test,
                        renamed(test, "fine", new HostPort("127.0.0.1", 0)),
                        renamed(test, "clash", new HostPort("127.0.0.1", taken.getLocalPort())));

                ReloadResult refused = proxy.reload(next);

                assertThat(refused.isOk()).isFalse();
                assertThat(refused.errors()).singleElement().asString()
                        .startsWith("listeners.clash.bind: cannot listen on 127.0.0.1:" + taken.getLocalPort());
                assertThat(proxy.configChecksum()).isEqualTo(checksum);
                assertThat(proxy.config()).isSameAs(base);
                assertThatThrownBy(() -> proxy.listenerAddress("fine")).isInstanceOf(IllegalArgumentException.class);
                assertThat(proxy.status().listeners()).hasSize(1);
                assertThat(proxy.registry().get("fulcrum.config.reloads").tag("result", "refused").counter().count()).isEqualTo(1);
                try (Socket still = new Socket("127.0.0.1", proxy.listenerAddress(TestConfigs.LISTENER).getPort())) {
                    EchoRoundTrip.assertEchoes(still, "the old listener");
                }
            }
        }
    }

    static ListenerConfig renamed(ListenerConfig l, String name, HostPort bind) {
        return new ListenerConfig(name, bind, l.pool(), l.key(), l.maxConnections(), l.connectTimeout(), l.connectAttempts(),
                l.idleTimeout(), l.writeBuffer(), l.proxyProtocol(), l.proxyProtocolTimeout());
    }
}
