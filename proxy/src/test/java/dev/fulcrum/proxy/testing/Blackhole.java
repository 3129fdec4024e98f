package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port whose SYNs go unanswered, like a backend behind a dead route: a listening socket
 * that never accepts, with its accept queue filled. Linux drops SYNs to a full accept queue, so a
 * connect to it hangs until the connector's own timeout. No traffic leaves 127.0.0.1.
 */
public final class Blackhole implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    public Blackhole() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(server.getLocalSocketAddress(), 250);
                fillers.add(filler);
            } catch (SocketTimeoutException full) {
                filler.close();
                return;
            }
        }
        throw new IllegalStateException("the accept queue of " + server + " never filled: cannot emulate a dropped SYN here");
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        for (Socket filler : fillers) {
            filler.close();
        }
        server.close();
    }
}
