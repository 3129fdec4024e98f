package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Repairs Netty 4.2's epoll registrations so that a socket removed from the epoll set is added back.
 *
 * <p>The defect (Netty 4.2.18, unchanged in 4.2.20's bytecode): when a socket's interest set
 * becomes empty, {@code EpollIoHandler} removes it from the epoll set ({@code EPOLL_CTL_DEL}),
 * which is right (a level-triggered EPOLLHUP or EPOLLERR would otherwise wake the loop forever), but
 * leaves the registration marked as added, so the next non-empty interest set is applied with
 * {@code EPOLL_CTL_MOD}, which fails with ENOENT; Netty then shuts the socket's output and fails its
 * queued writes. A proxied socket gets there whenever its peer has half-closed (EPOLLIN and
 * EPOLLRDHUP cleared) and its queued writes drain (EPOLLOUT cleared): the next write that must
 * wait for the socket loses the flow's remaining bytes. {@code HalfCloseAndResetTest} reproduces it.
 *
 * <p>The repair wraps each socket's registration: when Netty submits an empty interest set (and so
 * deletes the socket from the set), the wrapper notes it; the next non-empty submission first puts
 * the registration back to its "pending" state, so Netty's own code adds the socket again with
 * {@code EPOLL_CTL_ADD}. Nothing else changes: no extra system call, no event the loop would not
 * otherwise get. (Keeping a permanent EPOLLERR in the set instead, as Netty does for server
 * channels, avoids the delete but makes a half-closed socket that then receives an RST spin its
 * loop, because Netty ignores EPOLLHUP on a socket it has stopped reading.)
 *
 * <p>The fields involved are private to Netty, reached with method-handle lookups that the class
 * path allows. When a Netty version lacks them, {@link #isAvailable()} is false and
 * {@code transport: auto} chooses NIO, which has no such defect.
 */
final class EpollRegistrationRepair {

    private static final Handles HANDLES = Handles.find();

    private EpollRegistrationRepair() {
    }

    static boolean isAvailable() {
        return HANDLES != null;
    }

    /** Why the repair is unavailable, for the startup log. */
    static String unavailabilityCause() {
        return Handles.failure;
    }

    /**
     * Wraps a registered epoll socket's registration (any other channel is left alone). Call on the
     * channel's event loop after it is registered, e.g. from {@code handlerAdded}.
     *
     * @return whether the channel is now repaired
     */
    static boolean install(Channel channel) {
        if (HANDLES == null || !(channel instanceof EpollSocketChannel)) {
            return false;
        }
        IoRegistration current = (IoRegistration) HANDLES.channelRegistration.get(channel);
        if (current instanceof Readding) {
            return true;
        }
        if (current == null || !HANDLES.loopWrapper.isInstance(current)) {
            return false;
        }
        Object inner = HANDLES.wrapped.get(current);
        if (!HANDLES.epollRegistration.isInstance(inner)) {
            return false;
        }
        HANDLES.channelRegistration.set(channel, new Readding(current, inner));
        return true;
    }

    static boolean isInstalled(Channel channel) {
        return HANDLES != null && channel instanceof EpollSocketChannel
                && HANDLES.channelRegistration.get(channel) instanceof Readding;
    }

    /** A registration that is added back to the epoll set after Netty removed it for an empty interest set. */
    private static final class Readding implements IoRegistration {
        private final IoRegistration delegate;
        private final Object epollRegistration;
        private boolean removed;

        Readding(IoRegistration delegate, Object epollRegistration) {
            this.delegate = delegate;
            this.epollRegistration = epollRegistration;
        }

        @Override
        public long submit(IoOps ops) {
            if (((EpollIoOps) ops).value() == EpollIoOps.NONE.value()) {
                removed = true;
                return delegate.submit(ops);
            }
            if (removed) {
                removed = false;
                // Netty guards the state with the registration's monitor.
                synchronized (epollRegistration) {
                    if (HANDLES.state.get(epollRegistration) == HANDLES.added) {
                        HANDLES.state.set(epollRegistration, HANDLES.pending);
                    }
                }
            }
            return delegate.submit(ops);
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }

    private record Handles(
            VarHandle channelRegistration, Class<?> loopWrapper, VarHandle wrapped,
            Class<?> epollRegistration, VarHandle state, Object added, Object pending) {

        static String failure = "";

        static Handles find() {
            if (!Epoll.isAvailable()) {
                failure = "epoll is not available";
                return null;
            }
            try {
                Class<?> channel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
                Class<?> loopWrapper = Class.forName("io.netty.channel.SingleThreadIoEventLoop$IoRegistrationWrapper");
                Class<?> registration = Class.forName("io.netty.channel.epoll.EpollIoHandler$DefaultEpollIoRegistration");
                Class<?> stateType = Class.forName("io.netty.channel.epoll.EpollIoHandler$RegistrationState");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                return new Handles(
                        MethodHandles.privateLookupIn(channel, lookup).findVarHandle(channel, "registration", IoRegistration.class),
                        loopWrapper,
                        MethodHandles.privateLookupIn(loopWrapper, lookup).findVarHandle(loopWrapper, "registration", IoRegistration.class),
                        registration,
                        MethodHandles.privateLookupIn(registration, lookup).findVarHandle(registration, "state", stateType),
                        constant(stateType, "Added"),
                        constant(stateType, "Pending"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                failure = "this Netty's epoll internals differ from 4.2.18's: " + e;
                return null;
            }
        }

        private static Object constant(Class<?> enumType, String name) {
            for (Object constant : enumType.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return constant;
                }
            }
            throw new IllegalStateException(enumType.getName() + " has no " + name);
        }
    }
}
