package dev.fulcrum.proxy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one control thread: everything slow happens here, never on an event loop. Each tick runs the
 * registered tasks in the order they were added (telemetry aggregation, ejection and slow-start
 * bookkeeping, model inference, controller ticks...), then logs the data plane's queued warnings.
 * A task that throws is logged and the others still run: one failing part never stops the loop.
 */
final class ControlLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.fulcrum.dataplane");

    /** A piece of work run on the control thread every tick. */
    record TickTask(String name, Runnable body) {}

    private final ScheduledExecutorService executor;
    private final DataPlaneWarnings warnings;
    private final List<TickTask> tasks = new CopyOnWriteArrayList<>();

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

    /** Runs {@code body} on the control thread every tick, after the tasks added before it. */
    void addTask(String name, Runnable body) {
        tasks.add(new TickTask(name, body));
    }

    /** Runs {@code body} once on the control thread, as soon as it is free. */
    void execute(Runnable body) {
        executor.execute(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                log.error("control task failed", e);
            }
        });
    }

    private void tick() {
        for (TickTask task : tasks) {
            try {
                task.body().run();
            } catch (RuntimeException e) {
                log.error("control tick task {} failed", task.name(), e);
            }
        }
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
