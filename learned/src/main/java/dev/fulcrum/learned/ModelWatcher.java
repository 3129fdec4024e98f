package dev.fulcrum.learned;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reloads a model when its file is replaced. Trainers write a temporary file and rename it over
 * the model (atomic, so a reader never sees half a model); the rename shows as a create in the
 * directory. One daemon thread for all models, never an event loop; events are gathered for
 * {@link #SETTLE_MILLIS} so a burst of writes makes one reload.
 */
final class ModelWatcher implements AutoCloseable {

    static final long SETTLE_MILLIS = 100;

    private final ModelRegistry registry;
    private final WatchService service;
    private final Set<Path> directories = new HashSet<>();
    private final Thread thread;

    ModelWatcher(ModelRegistry registry) {
        this.registry = registry;
        try {
            this.service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch model files: " + e, e);
        }
        this.thread = new Thread(this::run, "fulcrum-model-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void watch(ModelSlot<?> slot) {
        Path directory = slot.file().getParent();
        if (directory == null || !directories.add(directory)) {
            return;
        }
        try {
            directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            directories.remove(directory);
            throw new IllegalArgumentException(slot.file() + ": cannot watch its directory (" + e + ")", e);
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                Set<Path> changed = new HashSet<>();
                collect(key, changed);
                Thread.sleep(SETTLE_MILLIS);
                for (WatchKey more; (more = service.poll(0, TimeUnit.MILLISECONDS)) != null; ) {
                    collect(more, changed);
                }
                for (ModelSlot<?> slot : registry.slots()) {
                    if (changed.contains(slot.file())) {
                        slot.reload();
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private static void collect(WatchKey key, Set<Path> changed) {
        Path directory = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.context() instanceof Path name) {
                changed.add(directory.resolve(name).toAbsolutePath().normalize());
            }
        }
        key.reset();
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            service.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
