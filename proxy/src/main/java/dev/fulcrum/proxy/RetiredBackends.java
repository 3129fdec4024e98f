package dev.fulcrum.proxy;

import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.config.ValueParsers;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backends a reload removed while flows were still open on them. Each control tick checks them: a
 * backend whose last flow ended is forgotten; one whose pool's {@code removedBackendDrainTimeout}
 * ran out has its remaining flows closed, each on its own event loop.
 */
final class RetiredBackends {

    private static final Logger log = LoggerFactory.getLogger(FulcrumProxy.class);

    /** A removed backend: the last state it had (flows on older states share its counts). */
    record Retired(String pool, BackendState state, long deadlineNanos, Duration drainTimeout) {
    }

    private final List<Retired> retired = new CopyOnWriteArrayList<>();
    private final List<Retired> closing = new CopyOnWriteArrayList<>();
    private final Supplier<List<ListenerSocket>> sockets;

    /** @param sockets every listener socket that may hold flows (current and removed ones) */
    RetiredBackends(Supplier<List<ListenerSocket>> sockets) {
        this.sockets = sockets;
    }

    /** A reload removed {@code state}: no new flow goes to it (even from a policy built before the reload). */
    void retire(String pool, BackendState state, Duration drainTimeout) {
        state.setDraining(true);
        if (state.activeFlows() == 0) {
            return;
        }
        log.info("pool {}: removed backend {} ({}) has {} open flows; they have {} to finish", pool,
                state.backend().name(), state.backend().address(), state.activeFlows(), ValueParsers.formatDuration(drainTimeout));
        retired.add(new Retired(pool, state, System.nanoTime() + drainTimeout.toNanos(), drainTimeout));
        if (drainTimeout.isZero()) {
            tick();
        }
    }

    /** Removed backends that still have open flows, for the status page. */
    List<Retired> retiring() {
        List<Retired> all = new ArrayList<>(retired);
        all.addAll(closing);
        return all;
    }

    /** Runs on the control thread. */
    void tick() {
        long now = System.nanoTime();
        for (Retired r : retired) {
            if (r.state().activeFlows() == 0) {
                retired.remove(r);
                log.info("pool {}: removed backend {} ({}): its last flow ended", r.pool(), r.state().backend().name(),
                        r.state().backend().address());
            } else if (now - r.deadlineNanos() >= 0) {
                retired.remove(r);
                closing.add(r);
                log.warn("pool {}: removed backend {} ({}): drain time {} ran out with {} flows open: closing them", r.pool(),
                        r.state().backend().name(), r.state().backend().address(), ValueParsers.formatDuration(r.drainTimeout()),
                        r.state().activeFlows());
                closeFlowsOn(r.state());
            }
        }
        closing.removeIf(r -> r.state().activeFlows() == 0);
    }

    private void closeFlowsOn(BackendState removed) {
        for (ListenerSocket socket : sockets.get()) {
            for (Channel client : socket.clients()) {
                client.eventLoop().execute(() -> {
                    RelayHandler relay = client.pipeline().get(RelayHandler.class);
                    BackendState target = relay == null ? null : relay.flow().target();
                    if (target != null && target.sharesLiveStateWith(removed)) {
                        relay.flow().abort(EndReason.BACKEND_REMOVED);
                    }
                });
            }
        }
    }
}
