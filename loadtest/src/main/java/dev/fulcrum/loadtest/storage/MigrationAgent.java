package dev.fulcrum.loadtest.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Moves data from one tier to the next through Fulcrum: takes chunks out of its source tier (or
 * out of nowhere, for clients) and writes them to a Fulcrum listener whose pool is the destination
 * tier, as fast as the connection lets it. Fulcrum's class shaping is what sets its pace.
 */
final class MigrationAgent implements AutoCloseable {

    static final int CHUNK = 64 * 1024;

    private final TierServer source;
    private final Socket socket;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param source null for the clients (an endless source) */
    MigrationAgent(String name, TierServer source, InetSocketAddress through) throws IOException {
        this.source = source;
        this.socket = new Socket();
        socket.connect(through, 2000);
        this.thread = new Thread(this::run, "agent-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        byte[] chunk = new byte[CHUNK];
        try (OutputStream out = socket.getOutputStream()) {
            while (running) {
                long taken = source == null ? CHUNK : source.take(CHUNK);
                if (taken == 0) {
                    Thread.sleep(5); // nothing to move yet
                    continue;
                }
                out.write(chunk, 0, (int) taken);
            }
        } catch (IOException | InterruptedException e) {
            // stopping
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        thread.interrupt();
        socket.close();
    }
}
