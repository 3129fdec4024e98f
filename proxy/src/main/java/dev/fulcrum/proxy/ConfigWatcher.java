package dev.fulcrum.proxy;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration when its file changes ({@code runtime.watchConfig}, on by default).
 *
 * <p>The directory is watched, not the file: an editor or a deployment tool that writes a new file
 * and renames it over the old one (or swaps a symbolic link, as Kubernetes does with a ConfigMap)
 * replaces the inode a file watch would follow. Any event in the directory starts a quiet period
 * of {@link #DEBOUNCE_MILLIS}; more events restart it; when it ends, the file's bytes are hashed
 * and a reload is requested only if they differ from those last seen, so a save in several writes
 * is one reload, and a touch or an unrelated file is none.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    static final long DEBOUNCE_MILLIS = 300;

    private final Path file;
    private final FulcrumProxy proxy;
    private final WatchService watchService;
    private final Thread thread;
    private byte[] lastSeen;

    private ConfigWatcher(Path file, FulcrumProxy proxy, WatchService watchService) {
        this.file = file.toAbsolutePath();
        this.proxy = proxy;
        this.watchService = watchService;
        this.lastSeen = digest(this.file);
        this.thread = new Thread(this::run, "fulcrum-config-watch");
        this.thread.setDaemon(true);
    }

    /** Watches {@code file}'s directory; returns {@code null} (and logs why) when it cannot. */
    static ConfigWatcher start(Path file, FulcrumProxy proxy) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            ConfigWatcher watcher = new ConfigWatcher(file, proxy, service);
            watcher.thread.start();
            return watcher;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot watch {} for changes ({}): reload with SIGHUP or POST /api/reload", dir, e.toString());
            return null;
        }
    }

    private void run() {
        try {
            for (;;) {
                WatchKey key = watchService.take();
                drain(key);
                // The quiet period: wait until no event came for DEBOUNCE_MILLIS.
                for (WatchKey more; (more = watchService.poll(DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS)) != null; ) {
                    drain(more);
                }
                if (!proxy.config().runtime().watchConfig()) {
                    continue;
                }
                byte[] now = digest(file);
                if (now == null || Arrays.equals(now, lastSeen)) {
                    continue; // gone for now (a rename in flight, or deleted), or the same bytes
                }
                lastSeen = now;
                log.info("{} changed: reloading", file);
                proxy.requestReload().join();
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // closed
        } catch (RuntimeException e) {
            log.error("the configuration watch stopped: reload with SIGHUP or POST /api/reload", e);
        }
    }

    private static void drain(WatchKey key) {
        for (WatchEvent<?> ignored : key.pollEvents()) {
            // Which entry changed does not matter: the file's bytes decide (see the class comment).
        }
        key.reset();
    }

    private static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("closing the configuration watch", e);
        }
        thread.interrupt();
    }
}
