package dev.fulcrum.proxy;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a flow that moved no byte either way for its listener's idle timeout. The relay stamps the
 * time of each read it passes on; one task per flow, scheduled on the flow's loop, compares that
 * stamp with the clock when the timeout could be up and re-arms itself for the rest otherwise.
 *
 * <p>It replaces Netty's {@code IdleStateHandler} on the client socket, which, to see write
 * completions, turns every write of the relay's {@code voidPromise()} into a real promise with a
 * listener. Activity here is a read relayed (or held for the backend) on either side, that is the
 * same bytes the handler saw read from and written to the client; a write counts when it is
 * queued rather than when the socket takes it, and a peer that stops reading stops the relay's
 * reads of the other side (backpressure), so a stalled flow still times out.
 *
 * <p>Threading: used on the flow's event loop only.
 */
final class IdleCheck implements Runnable {

    private final ProxiedFlow flow;
    private final EventLoop loop;
    private final long timeoutNanos;
    private long lastActivityNanos;
    private ScheduledFuture<?> next;

    IdleCheck(ProxiedFlow flow, EventLoop loop, long timeoutMillis) {
        this.flow = flow;
        this.loop = loop;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    void start() {
        lastActivityNanos = System.nanoTime();
        next = loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Bytes were read from one side of the flow. */
    void active() {
        lastActivityNanos = System.nanoTime();
    }

    void stop() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public void run() {
        if (next == null) {
            return;
        }
        long idleNanos = System.nanoTime() - lastActivityNanos;
        if (idleNanos >= timeoutNanos) {
            next = null;
            flow.abort(EndReason.IDLE_TIMEOUT);
        } else {
            next = loop.schedule(this, timeoutNanos - idleNanos, TimeUnit.NANOSECONDS);
        }
    }
}
