package dev.fulcrum.proxy.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A backend in a process of its own, so a test can SIGKILL, SIGSTOP and restart it as it would a
 * real one: echoes every byte, and shuts its output when the client shuts its own. Plain
 * {@code java.net}, a thread per connection. Usage: {@code EchoBackendMain <port, 0 for any>};
 * prints {@code listening <port>} once it accepts.
 */
public final class EchoBackendMain {

    private EchoBackendMain() {
    }

    public static void main(String[] args) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 512);
        System.out.println("listening " + server.getLocalPort());
        System.out.flush();
        while (true) {
            Socket socket = server.accept();
            Thread thread = new Thread(() -> echo(socket), "echo");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            byte[] buffer = new byte[64 * 1024];
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
        } catch (IOException closedOrReset) {
            // the client's or the proxy's doing: nothing to keep
        }
    }
}
