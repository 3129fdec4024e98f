package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Shuts an epoll socket's output without Netty's {@code shutdownOutput()}, which builds a
 * {@code ChannelOutputShutdownException} (with its stack trace) every time, to fail the writes still
 * queued. The relay calls this only once everything queued for the socket is written (after an
 * empty flush) and never writes to it again ({@code ProxiedFlow.outputShut}), so there is nothing
 * to fail: the socket's own {@code shutdown(SHUT_WR)} sends the same FIN, and Netty's socket object
 * records it ({@code isOutputShutdown()} is true, Netty stops flushing it).
 *
 * <p>The socket is a protected field of Netty's epoll channel, reached with a method-handle lookup;
 * when it is missing (another Netty version) or the channel is not epoll's, {@link #shutdown}
 * returns false and the caller uses Netty's {@code shutdownOutput()}.
 */
final class OutputShutdown {

    private static final VarHandle SOCKET = find();

    private OutputShutdown() {
    }

    /** Shuts {@code channel}'s output; false when the caller must use Netty's {@code shutdownOutput()}. */
    static boolean shutdown(Channel channel) {
        if (SOCKET == null || !(channel instanceof EpollSocketChannel)) {
            return false;
        }
        Socket socket = (Socket) SOCKET.get(channel);
        if (socket.isOutputShutdown()) {
            return true;
        }
        try {
            socket.shutdown(false, true);
            return true;
        } catch (IOException e) {
            return false; // Netty's own path reports what went wrong
        }
    }

    private static VarHandle find() {
        try {
            Class<?> type = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
            Class<?> socketType = Class.forName("io.netty.channel.epoll.LinuxSocket");
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup()).findVarHandle(type, "socket", socketType);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
