package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.SingleThreadEventLoop;
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
 * {@code EPOLL_CTL_ADD}. No extra system call: the wrapper applies an empty interest set lazily
 * (see {@link Readding}), which saves the delete altogether when the socket is closed in the same
 * loop iteration. (Keeping a permanent EPOLLERR in the set instead, as Netty does for server
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
        HANDLES.channelRegistration.set(channel, new Readding(current, inner, channel.eventLoop()));
        return true;
    }

    static boolean isInstalled(Channel channel) {
        return HANDLES != null && channel instanceof EpollSocketChannel
                && HANDLES.channelRegistration.get(channel) instanceof Readding;
    }

    /**
     * A registration that is added back to the epoll set after Netty removed it for an empty interest
     * set, and that removes it lazily: an empty set is applied by a task after the tasks of the loop's
     * iteration, not at once. A socket whose interest empties is usually one about to be closed in
     * the same iteration (its peer's FIN or close is being handled), and Netty's close then deletes
     * it from the set itself ({@code cancel()}): deleting it first cost an {@code EPOLL_CTL_DEL} plus
     * a second one that failed with ENOENT and an exception. If interest comes back before the task,
     * the socket is still in the set and a plain {@code EPOLL_CTL_MOD} applies it. Until the task
     * runs the socket keeps its previous interest; an event it reports meanwhile is one Netty
     * handles as a no-op for a socket with nothing to do (it clears its flags again).
     */
    private static final class Readding implements IoRegistration {
        private final IoRegistration delegate;
        private final Object epollRegistration;
        private final EventLoop loop;
        /** Netty removed the socket from the epoll set (an empty interest set was applied). */
        private boolean removed;
        /** An empty interest set was submitted; the task that applies it has not run yet. */
        private boolean removalPending;
        /** The interest set the kernel has for the socket, as last applied through this wrapper (-1: unknown or none). */
        private int applied = -1;
        private final Runnable removeIfStillEmpty = this::removeIfStillEmpty;

        Readding(IoRegistration delegate, Object epollRegistration, EventLoop loop) {
            this.delegate = delegate;
            this.epollRegistration = epollRegistration;
            this.loop = loop;
        }

        @Override
        public long submit(IoOps ops) {
            if (((EpollIoOps) ops).value() == EpollIoOps.NONE.value()) {
                if (!removed && !removalPending) {
                    removalPending = true;
                    if (loop instanceof SingleThreadEventLoop single) {
                        // After the iteration's tasks, among which the close of a flow's sockets.
                        single.executeAfterEventLoopIteration(removeIfStillEmpty);
                    } else {
                        loop.execute(removeIfStillEmpty);
                    }
                }
                return 0;
            }
            int value = ((EpollIoOps) ops).value();
            if (removalPending) {
                removalPending = false; // still in the set: Netty's MOD applies the new interest
                if (value == applied) {
                    return value;
                }
            } else if (value == applied && !removed) {
                // Netty resubmits the current interest once a connect completes: no EPOLL_CTL_MOD
                // is needed for what the kernel already has.
                return value;
            } else if (removed) {
                removed = false;
                // Netty guards the state with the registration's monitor.
                synchronized (epollRegistration) {
                    if (HANDLES.state.get(epollRegistration) == HANDLES.added) {
                        HANDLES.state.set(epollRegistration, HANDLES.pending);
                    }
                }
            }
            applied = -1; // unknown should Netty's call fail
            long result = delegate.submit(ops);
            applied = result > 0 ? (int) result : -1;
            return result;
        }

        private void removeIfStillEmpty() {
            if (removalPending && delegate.isValid()) {
                removalPending = false;
                removed = true;
                applied = -1;
                delegate.submit(EpollIoOps.NONE);
            }
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
            removalPending = false;
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
