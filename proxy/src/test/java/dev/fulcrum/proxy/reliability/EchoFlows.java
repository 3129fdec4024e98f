package dev.fulcrum.proxy.reliability;

import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.reliability.PatternStream.CorruptByte;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Clients of an echo backend through the proxy: each sends a {@link PatternStream} and checks
 * every byte that comes back. A flow ends complete, cut (a correct prefix, then end of stream or a
 * reset), or corrupt (a wrong byte: the future fails with {@link CorruptByte}).
 */
final class EchoFlows implements AutoCloseable {

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "echo-client");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> sockets = new ArrayList<>();

    /** Starts one flow of {@code size} bytes, written in chunks of {@code chunk} with {@code pauseMillis} between them. */
    CompletableFuture<Checked> start(InetSocketAddress proxy, long seed, long size, int chunk, long pauseMillis) {
        CompletableFuture<Checked> result = new CompletableFuture<>();
        threads.execute(() -> {
            try (Socket socket = new Socket()) {
                synchronized (sockets) {
                    sockets.add(socket);
                }
                socket.connect(proxy, 5_000);
                socket.setSoTimeout(30_000); // a hang fails the flow, not the build's patience
                threads.execute(() -> write(socket, seed, size, chunk, pauseMillis));
                result.complete(PatternStream.readAndCheck(socket.getInputStream(), seed, size));
            } catch (CorruptByte corrupt) {
                result.completeExceptionally(corrupt);
            } catch (IOException refused) {
                result.complete(new Checked(0, refused));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    private static void write(Socket socket, long seed, long size, int chunk, long pauseMillis) {
        try {
            var out = socket.getOutputStream();
            for (long sent = 0; sent < size; sent += chunk) {
                PatternStream.write(out, seed, sent, Math.min(chunk, size - sent), chunk);
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
            socket.shutdownOutput();
        } catch (IOException | InterruptedException cut) {
            // the reader sees the same fault and reports it
        }
    }

    /** Waits for every flow; each must finish within the bound (a hang is a failure). */
    static List<Checked> await(List<CompletableFuture<Checked>> flows) throws Exception {
        List<Checked> results = new ArrayList<>();
        for (CompletableFuture<Checked> flow : flows) {
            results.add(flow.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    @Override
    public void close() throws InterruptedException, IOException {
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
