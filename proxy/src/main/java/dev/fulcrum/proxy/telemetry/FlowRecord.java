package dev.fulcrum.proxy.telemetry;

import static dev.fulcrum.metrics.feature.FeatureSchema.*;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.metrics.feature.IntervalRecorder;
import dev.fulcrum.metrics.feature.TelemetryInterval;
import dev.fulcrum.proxy.EndReason;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * What Fulcrum measures of one flow, in-line: connect time, first-byte time (pt_1st), later
 * processing gaps (pt_gen), inter-arrival times, bytes, TCP_INFO of the backend socket at the first
 * backend byte, periodically and when the flow starts to close, the client's RTT, and the end
 * reason; each value goes to its backend's {@link TelemetryInterval} on this loop (Aquarius,
 * figure 8; the mapping is docs/features.md).
 *
 * <p>Threading: every method runs on the flow's event loop (its client's); nothing here allocates
 * after construction, locks or waits. {@link #DISABLED} ignores every call, for
 * {@code telemetry.enabled: false}.
 */
public final class FlowRecord {

    /** The record of every flow when telemetry is off: each hook returns at once. */
    public static final FlowRecord DISABLED = new FlowRecord(null, null, 0);

    private final LoopTelemetry loop;
    private final Channel client;
    private final long acceptNanos;
    private LoopTelemetry.PoolLoop pool;
    private int backendIndex = -1;
    private IntervalRecorder recorder;
    private Channel backend;
    private long connectStartNanos;
    private long connectedNanos;
    private long firstToBackendNanos;
    private long firstToClientNanos;
    private long firstByteNanos;
    private long lastByteNanos;
    private long lastToBackendNanos;
    private long lastBackendReadNanos;
    private boolean awaitingResponse;
    private long bytesToBackend;
    private long bytesToClient;
    private long lastWindow = -1;
    private long lastTotalRetrans;
    private long lastReordering = -1;
    private boolean closingSampled;
    private boolean finished;
    /** Position in the loop's list of open flows, or -1. */
    int openIndex = -1;
    long lastPeriodicNanos;

    FlowRecord(LoopTelemetry loop, Channel client, long acceptNanos) {
        this.loop = loop;
        this.client = client;
        this.acceptNanos = acceptNanos;
    }

    /** A connect to {@code chosen} of {@code backends} starts; {@code attempt} counts from 1. */
    public void connecting(BackendSet backends, BackendState chosen, long nanos, int attempt) {
        if (loop == null) {
            return;
        }
        pool = loop.pool(backends);
        if (pool == null) {
            recorder = null;
            return;
        }
        backendIndex = chosen.index();
        recorder = pool.recorders[backendIndex];
        connectStartNanos = nanos;
        if (attempt > 1) {
            count(N_RETRY);
        }
    }

    /** The connect started by {@link #connecting} failed (refused or timed out). */
    public void connectFailed() {
        if (recorder != null) {
            count(N_CLS);
        }
    }

    public void connected(Channel backendChannel, long nanos) {
        if (recorder == null) {
            return;
        }
        backend = backendChannel;
        connectedNanos = nanos;
        long previousFlow = pool.lastFlowNanos[backendIndex];
        pool.lastFlowNanos[backendIndex] = nanos;
        long token = recorder.enter();
        try {
            TelemetryInterval interval = recorder.active();
            interval.count(N_F, 1);
            interval.sample(LAT_SA, seconds(nanos - connectStartNanos));
            interval.time(TelemetryInterval.TIMING_CONNECT, (nanos - connectStartNanos) / 1000);
            if (previousFlow != 0) {
                interval.sample(IAT_F, seconds(nanos - previousFlow));
            }
        } finally {
            recorder.exit(token);
        }
        loop.opened(this);
    }

    /** {@code bytes} were read from the client (and written to the backend) or from the backend. */
    public void relayed(boolean fromClient, int bytes) {
        if (recorder == null || backend == null) {
            return;
        }
        long now = System.nanoTime();
        boolean firstResponse = false;
        long token = recorder.enter();
        try {
            TelemetryInterval interval = recorder.active();
            interval.count(N_P, 1);
            interval.count(N_NORM, 1);
            interval.sample(BYTE_P, bytes);
            if (fromClient) {
                bytesToBackend += bytes;
                if (firstToBackendNanos == 0) {
                    firstToBackendNanos = now;
                }
                lastToBackendNanos = now;
                awaitingResponse = true;
            } else {
                bytesToClient += bytes;
                long previousRead = pool.lastReadNanos[backendIndex];
                pool.lastReadNanos[backendIndex] = now;
                if (previousRead != 0) {
                    interval.sample(IAT_P, seconds(now - previousRead));
                }
                if (lastBackendReadNanos != 0) {
                    interval.sample(IAT_PPF, seconds(now - lastBackendReadNanos));
                }
                lastBackendReadNanos = now;
                if (firstToClientNanos == 0) {
                    firstToClientNanos = now;
                    firstResponse = true;
                    if (firstToBackendNanos != 0) {
                        interval.sample(PT_1ST, seconds(now - firstToBackendNanos));
                        interval.time(TelemetryInterval.TIMING_FIRST_BYTE, (now - firstToBackendNanos) / 1000);
                    }
                } else if (awaitingResponse) {
                    interval.sample(PT_GEN, seconds(now - lastToBackendNanos));
                }
                awaitingResponse = false;
            }
        } finally {
            recorder.exit(token);
        }
        if (firstByteNanos == 0) {
            firstByteNanos = now;
        }
        lastByteNanos = now;
        if (firstResponse) {
            sampleTcpInfo(false);
            EpollTcpInfo info = loop.tcpInfo(client);
            if (info != null) {
                long token2 = recorder.enter();
                try {
                    recorder.active().sample(CLIENT_RTT, info.rtt() / 1e6);
                } finally {
                    recorder.exit(token2);
                }
            }
        }
    }

    /** The flow starts to end (a FIN, a reset, a timeout): the backend socket's last TCP_INFO sample. */
    public void ending() {
        if (recorder != null && backend != null && !closingSampled) {
            closingSampled = true;
            if (!sampleTcpInfo(true) && lastWindow >= 0) {
                // The backend socket is gone already (it closed first): its last sample stands.
                count(N_RTR, lastTotalRetrans);
            }
        }
    }

    /** Both connections are closed; {@code reason} is the flow's end reason. */
    public void finished(EndReason reason) {
        if (recorder == null || backend == null || finished) {
            return;
        }
        finished = true;
        loop.closed(this);
        long now = System.nanoTime();
        long token = recorder.enter();
        try {
            TelemetryInterval interval = recorder.active();
            interval.count(N_FCT, 1);
            interval.count(endCounter(reason), 1);
            interval.sample(FCT, seconds(now - acceptNanos));
            interval.time(TelemetryInterval.TIMING_FLOW_COMPLETION, (now - acceptNanos) / 1000);
            interval.sample(BYTE_F, bytesToBackend + bytesToClient);
            if (firstByteNanos != 0) {
                interval.sample(TAU, seconds(lastByteNanos - firstByteNanos));
            }
        } finally {
            recorder.exit(token);
        }
    }

    private static int endCounter(EndReason reason) {
        return switch (reason) {
            case CLIENT_CLOSE -> N_END_CLIENT_CLOSE;
            case BACKEND_CLOSE -> N_END_BACKEND_CLOSE;
            case CLIENT_RESET, BACKEND_RESET -> N_END_RESET;
            case IDLE_TIMEOUT -> N_END_TIMEOUT;
            default -> N_END_OTHER;
        };
    }

    /** Called by the loop's periodic sampler for an open flow. */
    void samplePeriodic(long now, boolean withTcpInfo) {
        long token = recorder.enter();
        try {
            recorder.active().sample(BYTE_F_ON, bytesToBackend + bytesToClient);
        } finally {
            recorder.exit(token);
        }
        if (withTcpInfo) {
            lastPeriodicNanos = now;
            sampleTcpInfo(false);
        }
    }

    long connectedNanos() {
        return connectedNanos;
    }

    /**
     * TCP_INFO of the backend socket: window (cwnd x mss) and its change since this flow's previous
     * sample, RTT, RTT variance, rcv_space, and the retransmission and reordering deltas.
     */
    private boolean sampleTcpInfo(boolean closing) {
        EpollTcpInfo info = loop.tcpInfo(backend);
        if (info == null) {
            return false;
        }
        long window = info.sndCwnd() * info.sndMss();
        long retrans = info.totalRetrans();
        long reordering = info.reordering();
        long token = recorder.enter();
        try {
            TelemetryInterval interval = recorder.active();
            interval.sample(WIN, window);
            if (lastWindow >= 0) {
                interval.sample(D_WIN, window - lastWindow);
            }
            interval.sample(RTT, info.rtt() / 1e6);
            interval.sample(RTTVAR, info.rttvar() / 1e6);
            interval.sample(RCV_SPACE, info.rcvSpace());
            interval.time(TelemetryInterval.TIMING_RTT, info.rtt());
            interval.count(N_DPK, Math.max(0, retrans - lastTotalRetrans));
            if (lastReordering >= 0) {
                interval.count(N_OOO, Math.max(0, reordering - lastReordering));
            }
            if (closing) {
                interval.count(N_RTR, retrans);
            }
        } finally {
            recorder.exit(token);
        }
        lastWindow = window;
        lastTotalRetrans = retrans;
        lastReordering = reordering;
        return true;
    }

    private void count(int counter) {
        count(counter, 1);
    }

    private void count(int counter, long delta) {
        long token = recorder.enter();
        try {
            recorder.active().count(counter, delta);
        } finally {
            recorder.exit(token);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
