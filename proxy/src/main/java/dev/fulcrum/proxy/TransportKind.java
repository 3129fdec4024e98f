package dev.fulcrum.proxy;

import dev.fulcrum.proxy.config.RuntimeConfig.Transport;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The I/O transport the data plane runs on: Linux epoll (native) or Java NIO. */
record TransportKind(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> channel) {

    static TransportKind resolve(Transport wanted) {
        return switch (wanted) {
            // Without the registration repair, epoll can lose a half-closed flow's bytes: prefer NIO then.
            case AUTO -> Epoll.isAvailable() && EpollRegistrationRepair.isAvailable() ? epoll() : nio();
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new StartupException("runtime.transport: epoll was asked for, but Netty's native epoll library"
                            + " did not load (" + Epoll.unavailabilityCause() + "); use auto or nio");
                }
                yield epoll();
            }
            case NIO -> nio();
        };
    }

    private static TransportKind epoll() {
        return new TransportKind("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    private static TransportKind nio() {
        return new TransportKind("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }
}
