package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.EndReason;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What telemetry adds to the data plane, hook by hook, as the event loop calls them: a whole flow
 * (new record, connect, one request and one response, close) and one keep-alive exchange on an
 * open flow, each against the disabled record, with TCP_INFO read from real loopback epoll sockets
 * ({@code sockets=epoll}, three {@code getsockopt} calls per flow) or not at all
 * ({@code sockets=embedded}, as under NIO). The control thread's swap runs every 1024 flows (about
 * a tick at 4,000 flows/s), on the benchmark thread.
 *
 * <p>Besides JMH's time per operation (wall clock: on a shared core it counts the time the thread
 * waited for a CPU), each benchmark reports {@code cpuNanosPerOp}, the benchmark thread's own CPU
 * time per operation (user and system, so the {@code getsockopt} calls count), which a busy machine
 * inflates far less.
 *
 * <pre>scripts/bench-telemetry -prof gc    (allocation per flow: the FlowRecord)</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlowRecordBenchmark {

    /** CPU time of the benchmark thread per operation, sampled every 1024 operations of the iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public double cpuNanosPerOp;
        private long ops;
        private long startNanos;

        @Setup(Level.Iteration)
        public void start() {
            ops = 0;
            cpuNanosPerOp = 0;
            startNanos = THREADS.getCurrentThreadCpuTime();
        }

        void op() {
            if ((++ops & 1023) == 0) {
                cpuNanosPerOp = (double) (THREADS.getCurrentThreadCpuTime() - startNanos) / ops;
            }
        }
    }

    @Param({"epoll", "embedded"})
    public String sockets;

    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    private Channel backend;
    private LoopTelemetry loop;
    private LoopTelemetry.PoolLoop pool;
    private BackendSet backends;
    private BackendState chosen;
    private FlowRecord open;
    private int flows;
    private int exchanges;

    @Setup
    public void setUp() throws InterruptedException {
        backends = BackendSet.of(List.of(new Backend("b0", "127.0.0.1", 8080, 1, 0)));
        chosen = backends.get(0);
        boolean epoll = sockets.equals("epoll");
        if (epoll) {
            group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            ChannelInitializer<Channel> nothing = new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    // Sockets whose TCP_INFO is read; nothing flows over them.
                }
            };
            server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(nothing).bind("127.0.0.1", 0).sync().channel();
            Bootstrap connect = new Bootstrap().group(group).channel(EpollSocketChannel.class).handler(nothing);
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            client = connect.connect(address).sync().channel();
            backend = connect.connect(address).sync().channel();
        } else {
            client = new EmbeddedChannel();
            backend = new EmbeddedChannel();
        }
        loop = new LoopTelemetry(0, client.eventLoop(), epoll);
        pool = new LoopTelemetry.PoolLoop(backends, 128, 1);
        loop.addPool(pool);
        open = startedFlow(new FlowRecord(loop, client, System.nanoTime()));
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        client.close().sync();
        backend.close().sync();
        if (group != null) {
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private FlowRecord startedFlow(FlowRecord record) {
        long now = System.nanoTime();
        record.connecting(backends, chosen, now, 1);
        record.connected(backend, now);
        return record;
    }

    private FlowRecord wholeFlow(FlowRecord record) {
        startedFlow(record);
        record.relayed(true, 78);
        record.relayed(false, 180);
        record.ending();
        record.finished(EndReason.BACKEND_CLOSE);
        return record;
    }

    /** A flow of one request and one response, as {@code ProxiedFlow} reports it, telemetry on. */
    @Benchmark
    public FlowRecord flow(CpuTime cpu) {
        cpu.op();
        if ((++flows & 1023) == 0) {
            pool.recorders[0].swapInterval();
        }
        return wholeFlow(new FlowRecord(loop, client, System.nanoTime()));
    }

    /** The same calls on the record every flow gets when telemetry is off. */
    @Benchmark
    public FlowRecord flowDisabled(CpuTime cpu) {
        cpu.op();
        return wholeFlow(FlowRecord.DISABLED);
    }

    /** One request and its response on an open (keep-alive) flow: two reads relayed, telemetry on. */
    @Benchmark
    public FlowRecord keepAliveExchange(CpuTime cpu) {
        cpu.op();
        if ((++exchanges & 1023) == 0) {
            pool.recorders[0].swapInterval();
        }
        open.relayed(true, 78);
        open.relayed(false, 180);
        return open;
    }

    @Benchmark
    public FlowRecord keepAliveExchangeDisabled(CpuTime cpu) {
        cpu.op();
        FlowRecord.DISABLED.relayed(true, 78);
        FlowRecord.DISABLED.relayed(false, 180);
        return FlowRecord.DISABLED;
    }
}
