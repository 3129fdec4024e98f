package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.Native;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Keeps an epoll socket in its event loop's epoll set for as long as it is open.
 *
 * <p>Netty 4.2.18 (and 4.2.20, checked in the bytecode) removes a socket from the epoll set with
 * {@code EPOLL_CTL_DEL} when its interest set becomes empty but keeps its registration marked as
 * added; the next interest change is an {@code EPOLL_CTL_MOD}, which fails with ENOENT and shuts the
 * socket's output. A proxied socket gets there whenever its peer half-closes (EPOLLIN and EPOLLRDHUP
 * are cleared) and its queued writes drain (EPOLLOUT is cleared): the next write that must wait for
 * the socket kills the flow. {@code HalfCloseAndResetTest} reproduces it.
 *
 * <p>Netty's own server and datagram channels avoid it by always keeping EPOLLERR in their interest
 * set; this does the same for stream sockets, before they are registered, so it is part of their
 * first {@code EPOLL_CTL_ADD} and costs no system call. EPOLLERR is reported by epoll whether asked
 * for or not, so nothing else changes. Registrations are level-triggered: a socket with both
 * directions shut must be closed promptly, or a pending EPOLLHUP keeps waking its loop, which is why
 * {@link ProxiedFlow} closes each socket as soon as both its directions are done.
 *
 * <p>{@code EpollSocketChannel} is final and {@code setFlag} protected, so the flag is set through a
 * method handle. When a later Netty no longer has it, {@link #isAvailable()} says so (logged at
 * start) and sockets run unpinned.
 */
final class EpollRegistrationPin {

    private static final MethodHandle SET_FLAG = findSetFlag();

    private EpollRegistrationPin() {
    }

    private static MethodHandle findSetFlag() {
        if (!Epoll.isAvailable()) {
            return null;
        }
        try {
            Class<?> abstractEpollChannel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
            return MethodHandles.privateLookupIn(abstractEpollChannel, MethodHandles.lookup())
                    .findVirtual(abstractEpollChannel, "setFlag", MethodType.methodType(void.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static boolean isAvailable() {
        return SET_FLAG != null;
    }

    /** Pins an epoll socket that is not registered yet; any other channel is left alone. */
    static <C extends Channel> C pin(C channel) {
        if (SET_FLAG != null && channel instanceof EpollSocketChannel) {
            try {
                SET_FLAG.invoke(channel, Native.EPOLLERR);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot keep EPOLLERR on " + channel, t);
            }
        }
        return channel;
    }

    /** On a listener's pipeline: pins each accepted socket before the acceptor registers it. */
    @ChannelHandler.Sharable
    static final class AcceptedSockets extends ChannelInboundHandlerAdapter {
        static final AcceptedSockets INSTANCE = new AcceptedSockets();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel accepted) {
                pin(accepted);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
