package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP backend for health checks: answers every request with the status it is set to, or, with
 * status 0, reads the request and never answers. It keeps the request lines it saw.
 */
final class HttpStub implements AutoCloseable {

    private volatile int status;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final TestServer server;

    HttpStub(int status) throws IOException {
        this.status = status;
        this.server = TestServer.start(socket -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String requestLine = in.readLine();
            if (requestLine == null) {
                return;
            }
            requestLines.add(requestLine);
            for (String header; (header = in.readLine()) != null && !header.isEmpty(); ) {
                // headers are not checked
            }
            int answer = this.status;
            if (answer == 0) {
                while (in.read() >= 0) {
                    // silent until the checker gives up and closes
                }
                return;
            }
            socket.getOutputStream().write(("HTTP/1.1 " + answer + " Status\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        });
    }

    void answer(int status) {
        this.status = status;
    }

    int port() {
        return server.port();
    }

    List<String> requestLines() {
        return requestLines;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
