package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One round trip through an echo backend. */
final class EchoRoundTrip {

    private EchoRoundTrip() {
    }

    static void assertEchoes(Socket socket, String text) throws Exception {
        socket.setSoTimeout(10_000);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        assertThat(new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8)).isEqualTo(text);
    }
}
