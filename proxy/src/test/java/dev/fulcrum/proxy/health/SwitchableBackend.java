package dev.fulcrum.proxy.health;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A backend that can stop listening and listen again on the same port, while the connections it
 * accepted stay open: what a backend restart looks like to the health checks. Each line it reads
 * it answers with {@code <name>:<line>}, so a test knows which backend a flow reached.
 */
final class SwitchableBackend implements AutoCloseable {

    private final String name;
    private final int port;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "switchable-backend");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    SwitchableBackend(String name) throws IOException {
        this.name = name;
        ServerSocket first = new ServerSocket();
        first.setReuseAddress(true);
        first.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.port = first.getLocalPort();
        accept(first);
    }

    int port() {
        return port;
    }

    /** Closes the listening socket only: flows already accepted go on. */
    void stopListening() throws IOException {
        server.close();
    }

    void listen() throws IOException {
        ServerSocket again = new ServerSocket();
        again.setReuseAddress(true);
        again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        accept(again);
    }

    private void accept(ServerSocket socket) {
        server = socket;
        threads.execute(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    sockets.add(s);
                    threads.execute(() -> answerLines(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private void answerLines(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                out.write((name + ":" + line + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (SocketException expected) {
            // a health check's connect-and-close, or the test closing
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
