package dev.fulcrum.proxy.qos;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.traffic.AbstractTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.AttributeKey;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shapes every client connection of one bandwidth class to the class's rate, both ways.
 *
 * <p>Reads (client to backend: the data a class moves into a tier) follow the class's
 * {@link ReadBudget}: over the rate, reads pause (auto-read off, Netty's {@code READ_SUSPENDED}
 * mark, a scheduled resume; never a growing buffer), and a rate change keeps what was already
 * admitted, so the bytes that pass follow the controller's rates even when they change every
 * tick. Writes (backend to client) use Netty's global write shaping: delayed writes make the
 * channel unwritable so the relay stops reading the backend; because Netty restarts its accounting
 * on every limit change, the write limit only follows changes of more than {@link #HYSTERESIS}.
 * Netty's counters also give the bytes each way, for the measured rate.
 */
@ChannelHandler.Sharable
public final class ClassShaper extends GlobalTrafficShapingHandler {

    /** Netty treats a limit of 0 as "no limit": a class the controller stops gets this instead. */
    static final long STOPPED = 1024;
    /** Netty's own attribute (same name, same key): set while the shaper holds a channel's reads. */
    private static final AttributeKey<Boolean> READ_SUSPENDED =
            AttributeKey.valueOf(AbstractTrafficShapingHandler.class.getName() + ".READ_SUSPENDED");
    /** Longest single pause: a paused reader looks at the budget again at least this often. */
    static final long MAX_PAUSE_MILLIS = 1000;
    /** Write-limit changes smaller than this share of the current limit are not applied. */
    static final double HYSTERESIS = 0.04;
    /** How far a stalled or idle class may get behind its rate and catch up (two control ticks). */
    static final long BURST_NANOS = 500_000_000L;
    /** The measured rate is taken over at least this long. */
    private static final long MEASURE_NANOS = 1_000_000_000L;

    private final String className;
    private final ReadBudget budget;
    private final LongAdder throttled = new LongAdder();
    private final LongAdder pauses = new LongAdder();
    private volatile long rate;
    private long writeLimit;
    private long measuredAt = System.nanoTime();
    private long measuredRead;
    private long measuredWritten;
    private volatile long measuredRate;

    ClassShaper(String className, ScheduledExecutorService counters, long initialRate) {
        super(counters, Math.max(STOPPED, initialRate), 0, 1000, MAX_PAUSE_MILLIS);
        this.className = className;
        this.rate = initialRate;
        this.writeLimit = Math.max(STOPPED, initialRate);
        this.budget = new ReadBudget(System::nanoTime, Math.max(STOPPED, initialRate), BURST_NANOS);
    }

    String className() {
        return className;
    }

    /** Sets the class's rate in bytes per second (each way); called from the control thread. */
    void setRate(long bytesPerSecond) {
        long limit = Math.max(STOPPED, bytesPerSecond);
        rate = bytesPerSecond;
        budget.setRate(limit);
        if (Math.abs(limit - writeLimit) > HYSTERESIS * writeLimit) {
            writeLimit = limit;
            configure(limit, 0); // read limit 0: Netty leaves reads to the budget
        }
    }

    long rate() {
        return rate;
    }

    /** Bytes the class was allowed to read so far: the integral of the rates set over time. */
    double allowedBytes() {
        return budget.allowedBytes();
    }

    /** Bytes read from the class's clients so far. */
    long readBytes() {
        return trafficCounter().cumulativeReadBytes();
    }

    /**
     * Bytes per second through the class (the larger direction) over the last second or more, as
     * last computed by {@link #measure} on the control thread.
     */
    long measuredRate() {
        return measuredRate;
    }

    /** Updates {@link #measuredRate} once at least a second has passed; control thread only. */
    void measure(long nowNanos) {
        long elapsed = nowNanos - measuredAt;
        if (elapsed < MEASURE_NANOS) {
            return;
        }
        long read = trafficCounter().cumulativeReadBytes();
        long written = trafficCounter().cumulativeWrittenBytes();
        measuredRate = (long) (Math.max(read - measuredRead, written - measuredWritten) * 1e9 / elapsed);
        measuredAt = nowNanos;
        measuredRead = read;
        measuredWritten = written;
    }

    /** How many times reads paused because the class was over its rate. */
    long pauses() {
        return pauses.sum();
    }

    long throttledBytes() {
        return throttled.sum();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long size = calculateSize(msg);
        if (size > 0) {
            long wait = budget.admit(size);
            Channel channel = ctx.channel();
            if (wait > 0 && !suspended(channel)) {
                throttled.add(size); // this read put the class over its rate: reads pause
                pauses.increment();
                channel.config().setAutoRead(false);
                channel.attr(READ_SUSPENDED).set(true);
                scheduleResume(ctx, wait);
            }
        }
        super.channelRead(ctx, msg);
    }

    private void scheduleResume(ChannelHandlerContext ctx, long waitNanos) {
        long pause = Math.min(waitNanos, TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MILLIS));
        ctx.executor().schedule(() -> resume(ctx), pause, TimeUnit.NANOSECONDS);
    }

    /** On the channel's event loop: reads again once the budget allows, else waits some more. */
    private void resume(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            return;
        }
        long wait = budget.remainingWait();
        if (wait > 0) {
            scheduleResume(ctx, wait); // the rate fell meanwhile: the debt takes longer to pay
            return;
        }
        channel.attr(READ_SUSPENDED).set(false);
        channel.config().setAutoRead(true);
        channel.read();
    }

    private static boolean suspended(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(READ_SUSPENDED).get());
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
