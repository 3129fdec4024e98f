package dev.fulcrum.proxy;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one control thread: everything slow happens here, never on an event loop. For now it logs
 * the data plane's warnings every tick; telemetry aggregation, model inference and policy rebuilds
 * join it as they arrive (see docs/architecture.md).
 */
final class ControlLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.fulcrum.dataplane");

    private final ScheduledExecutorService executor;
    private final DataPlaneWarnings warnings;

    ControlLoop(Duration tick, DataPlaneWarnings warnings) {
        this.warnings = warnings;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "fulcrum-control");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, tick.toMillis());
        executor.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            warnings.drainTo(log);
        } catch (RuntimeException e) {
            log.error("control tick failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        warnings.drainTo(log);
    }
}
