package dev.fulcrum.proxy.qos;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.traffic.AbstractTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.AttributeKey;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shapes every client connection of one bandwidth class to the class's rate, both ways, with
 * Netty's global traffic shaping: over the rate, reads are paused (auto-read off and a scheduled
 * resume, never a growing buffer) and writes are delayed, which makes the channel unwritable so
 * the relay stops reading the other side. Counts the bytes it held back, for
 * {@code fulcrum_qos_throttled_bytes_total}.
 */
@ChannelHandler.Sharable
public final class ClassShaper extends GlobalTrafficShapingHandler {

    /** Netty treats a limit of 0 as "no limit": a class the controller stops gets this instead. */
    static final long STOPPED = 1024;
    /** Netty's own attribute (same name, same key): set while the shaper holds a channel's reads. */
    private static final AttributeKey<Boolean> READ_SUSPENDED =
            AttributeKey.valueOf(AbstractTrafficShapingHandler.class.getName() + ".READ_SUSPENDED");

    private final String className;
    private final LongAdder throttled = new LongAdder();
    private volatile long rate;

    /** Longest pause of one read or write: a class stopped and then restarted resumes within it. */
    static final long MAX_PAUSE_MILLIS = 1000;
    /** Rate changes smaller than this share of the current rate are not applied. */
    static final double HYSTERESIS = 0.04;

    ClassShaper(String className, ScheduledExecutorService counters, long initialRate) {
        super(counters, Math.max(STOPPED, initialRate), Math.max(STOPPED, initialRate), 1000, MAX_PAUSE_MILLIS);
        this.className = className;
        this.rate = initialRate;
    }

    String className() {
        return className;
    }

    /** Sets the class's rate in bytes per second (each way); called from the control thread. */
    void setRate(long bytesPerSecond) {
        // Netty restarts its accounting on every change, which lets a burst through: small changes wait.
        if (rate > 0 && bytesPerSecond > 0 && Math.abs(bytesPerSecond - rate) <= HYSTERESIS * rate) {
            return;
        }
        long limit = Math.max(STOPPED, bytesPerSecond);
        rate = bytesPerSecond;
        configure(limit, limit);
    }

    long rate() {
        return rate;
    }

    /** Bytes per second through the class over the last second, the larger direction. */
    long measuredRate() {
        return Math.max(trafficCounter().lastReadThroughput(), trafficCounter().lastWriteThroughput());
    }

    long throttledBytes() {
        return throttled.sum();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long size = calculateSize(msg);
        boolean suspendedBefore = Boolean.TRUE.equals(ctx.channel().attr(READ_SUSPENDED).get());
        super.channelRead(ctx, msg);
        if (!suspendedBefore && Boolean.TRUE.equals(ctx.channel().attr(READ_SUSPENDED).get())) {
            throttled.add(Math.max(0, size)); // this read put the class over its rate: reads pause
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        long size = calculateSize(msg);
        long queuedBefore = queuesSize();
        super.write(ctx, msg, promise);
        if (size > 0 && queuesSize() > queuedBefore) {
            throttled.add(size); // delayed rather than written at once (approximate under concurrency)
        }
    }
}
