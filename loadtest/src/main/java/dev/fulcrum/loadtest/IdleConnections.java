package dev.fulcrum.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens many TCP connections to a target and holds them, idle, until its standard input closes:
 * the harness reads the proxy's memory before and while they are open.
 *
 * <p>Prints {@code open N} once all are connected (or {@code failed K of N: cause} and exits 1 if
 * any connect failed), then waits. Connects are blocking and one at a time, so the target's accept
 * queue never overflows; the connections send nothing.
 *
 * <pre>java -cp fulcrum-loadtest.jar dev.fulcrum.loadtest.IdleConnections HOST:PORT COUNT</pre>
 */
public final class IdleConnections {

    private IdleConnections() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: IdleConnections HOST:PORT COUNT");
            System.exit(2);
        }
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)));
        int count = Integer.parseInt(args[1]);
        List<SocketChannel> open = new ArrayList<>(count);
        int failed = 0;
        IOException firstFailure = null;
        for (int i = 0; i < count; i++) {
            try {
                open.add(SocketChannel.open(target));
            } catch (IOException e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = e;
                }
            }
        }
        if (failed > 0) {
            System.out.println("failed " + failed + " of " + count + ": " + firstFailure);
            closeAll(open);
            System.exit(1);
        }
        System.out.println("open " + open.size());
        System.out.flush();
        // Hold until the harness closes our standard input.
        while (System.in.read() != -1) {
            // Nothing to read; the harness only closes it.
        }
        closeAll(open);
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing a connection that already broke: nothing left to release.
            }
        }
    }
}
