package dev.fulcrum.loadtest.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One emulated storage tier: a TCP server on loopback that stores (counts) every byte written to
 * it. Its watermark is stored / capacity; a migration agent takes bytes out of it again.
 */
final class TierServer implements AutoCloseable {

    private final String name;
    private final long capacity;
    private final ServerSocket server;
    private final AtomicLong stored;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong highest = new AtomicLong();
    private volatile boolean open = true;

    TierServer(String name, long capacity, long initial) throws IOException {
        this.name = name;
        this.capacity = capacity;
        this.stored = new AtomicLong(initial);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "tier-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (open) {
            try {
                Socket socket = server.accept();
                Thread reader = new Thread(() -> read(socket), "tier-" + name + "-read");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket socket) {
        byte[] buffer = new byte[64 * 1024];
        try (socket; InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.addAndGet(n);
                highest.accumulateAndGet(stored.addAndGet(n), Math::max);
            }
        } catch (IOException e) {
            // the peer went away: the emulator is stopping
        }
    }

    /** Takes up to {@code bytes} out of the tier (a migration reading it); returns what it took. */
    long take(long bytes) {
        for (;;) {
            long current = stored.get();
            long taken = Math.min(current, bytes);
            if (stored.compareAndSet(current, current - taken)) {
                return taken;
            }
        }
    }

    String name() {
        return name;
    }

    int port() {
        return server.getLocalPort();
    }

    double watermark() {
        return Math.min(1.0, (double) stored.get() / capacity);
    }

    /** The largest watermark ever reached, uncapped (above 1 is an overflow). */
    double highestWatermark() {
        return (double) highest.get() / capacity;
    }

    long received() {
        return received.get();
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
    }
}
