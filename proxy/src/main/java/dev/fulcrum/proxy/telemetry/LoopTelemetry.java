package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.metrics.feature.IntervalRecorder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of telemetry: its recorders per pool and backend, the one
 * {@link EpollTcpInfo} it reuses for every TCP_INFO read, and its open flows, which a task on the
 * loop samples each tick (bytes of on-going flows, and TCP_INFO of long flows). Everything but
 * {@link #pools} is touched by the loop's thread only.
 */
final class LoopTelemetry {

    /** TCP_INFO of an open flow is read again at most this often (long flows). */
    static final long LONG_FLOW_SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** TCP_INFO reads per loop per tick at most, so thousands of long flows cost a bounded time. */
    static final int TCP_INFO_READS_PER_TICK = 32;

    /** A pool's recorders on this loop, and the loop's last flow and last read time per backend. */
    static final class PoolLoop {
        final BackendSet backends;
        final IntervalRecorder[] recorders;
        final long[] lastFlowNanos;
        final long[] lastReadNanos;

        PoolLoop(BackendSet backends, int reservoirSize, long seed) {
            this.backends = backends;
            int n = backends.size();
            recorders = new IntervalRecorder[n];
            for (int i = 0; i < n; i++) {
                recorders[i] = new IntervalRecorder(reservoirSize, seed * 1009 + i);
            }
            lastFlowNanos = new long[n];
            lastReadNanos = new long[n];
        }
    }

    final int index;
    final EventLoop eventLoop;
    private final EpollTcpInfo tcpInfo;
    /** Replaced whole (copy on write) when a pool is added or removed (start, reload), never on the loop. */
    private volatile PoolLoop[] pools = new PoolLoop[0];
    private final List<FlowRecord> open = new ArrayList<>();
    private int cursor;

    LoopTelemetry(int index, EventLoop eventLoop, boolean tcpInfo) {
        this.index = index;
        this.eventLoop = eventLoop;
        this.tcpInfo = tcpInfo ? new EpollTcpInfo() : null;
    }

    void addPool(PoolLoop pool) {
        PoolLoop[] current = pools;
        PoolLoop[] next = java.util.Arrays.copyOf(current, current.length + 1);
        next[current.length] = pool;
        pools = next;
    }

    void removePool(PoolLoop pool) {
        pools = java.util.Arrays.stream(pools).filter(p -> p != pool).toArray(PoolLoop[]::new);
    }

    /** This loop's recorders for a pool's backends, or {@code null} for a pool telemetry does not know. */
    PoolLoop pool(BackendSet backends) {
        for (PoolLoop pool : pools) {
            if (pool.backends == backends) {
                return pool;
            }
        }
        return null;
    }

    /** TCP_INFO of an open epoll socket, in this loop's one reused holder; {@code null} otherwise (NIO). */
    EpollTcpInfo tcpInfo(Channel channel) {
        if (tcpInfo == null || !(channel instanceof EpollSocketChannel epoll) || !epoll.isOpen()) {
            return null;
        }
        try {
            return epoll.tcpInfo(tcpInfo);
        } catch (ChannelException e) {
            return null;
        }
    }

    void opened(FlowRecord flow) {
        flow.openIndex = open.size();
        open.add(flow);
    }

    void closed(FlowRecord flow) {
        int at = flow.openIndex;
        if (at < 0) {
            return;
        }
        FlowRecord last = open.remove(open.size() - 1);
        if (last != flow) {
            open.set(at, last);
            last.openIndex = at;
        }
        flow.openIndex = -1;
    }

    /** Each tick, on the loop: bytes of every open flow, and TCP_INFO of a bounded round of long flows. */
    void samplePeriodic() {
        long now = System.nanoTime();
        int n = open.size();
        int tcpReads = 0;
        int resumeAt = 0;
        for (int k = 0; k < n; k++) {
            FlowRecord flow = open.get((cursor + k) % n);
            boolean longFlow = tcpInfo != null && tcpReads < TCP_INFO_READS_PER_TICK
                    && now - Math.max(flow.connectedNanos(), flow.lastPeriodicNanos) >= LONG_FLOW_SAMPLE_NANOS;
            if (longFlow && ++tcpReads == TCP_INFO_READS_PER_TICK) {
                // The next tick's round starts after the last flow read, so every long flow gets its turn.
                resumeAt = k + 1;
            }
            flow.samplePeriodic(now, longFlow);
        }
        cursor = n == 0 ? 0 : (cursor + resumeAt) % n;
    }

    int openFlows() {
        return open.size();
    }
}
