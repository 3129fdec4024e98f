package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for tests: a plain blocking server on a free loopback port that runs a handler per
 * connection on its own thread. Plain {@code java.net} on purpose, so the proxy is checked against
 * a peer that shares none of its code.
 */
public final class TestServer implements AutoCloseable {

    @FunctionalInterface
    public interface ConnectionHandler {
        void handle(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-backend");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private TestServer(ConnectionHandler handler) throws IOException {
        server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        threads.execute(() -> acceptLoop(handler));
    }

    public static TestServer start(ConnectionHandler handler) throws IOException {
        return new TestServer(handler);
    }

    /** Echoes every byte, and shuts its output when the client shuts its own. */
    public static TestServer echo() throws IOException {
        return start(socket -> {
            byte[] buffer = new byte[64 * 1024];
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
        });
    }

    private void acceptLoop(ConnectionHandler handler) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            threads.execute(() -> {
                try (socket) {
                    handler.handle(socket);
                } catch (SocketException expected) {
                    // a reset or a close by the peer: the test decides whether that was right
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Handler errors other than resets and closes (assertion errors inside handlers land here). */
    public List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
