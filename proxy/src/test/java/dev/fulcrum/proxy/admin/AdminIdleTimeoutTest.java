package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.HostPort;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A client that sends half a request and waits cannot hold an admin connection for ever. */
class AdminIdleTimeoutTest {

    @Test
    void aHalfSentRequestIsClosedAtTheIdleTimeoutAndTheAdminKeepsServing() throws Exception {
        try (TestServer backend = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().backend(backend.port(), 1, 0).build());
                AdminServer admin = AdminServer.start(new HostPort("127.0.0.1", 0), NioIoHandler.newFactory(),
                        NioServerSocketChannel.class, proxy, Duration.ofMillis(300))) {
            int port = admin.address().getPort();
            try (Socket stalled = new Socket("127.0.0.1", port)) {
                stalled.setSoTimeout(10_000);
                stalled.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(stalled.getInputStream().read()).as("closed by the admin, nothing answered").isEqualTo(-1);
            }
            try (Socket fresh = new Socket("127.0.0.1", port)) {
                fresh.setSoTimeout(10_000);
                OutputStream out = fresh.getOutputStream();
                out.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = fresh.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200").endsWith("ok\n");
            }
        }
    }
}
