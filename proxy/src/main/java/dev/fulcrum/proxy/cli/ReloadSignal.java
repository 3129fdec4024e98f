package dev.fulcrum.proxy.cli;

import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.ReloadResult;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reloads the configuration file, as it does for HAProxy and NGINX. Installed before the
 * proxy starts (the JVM's own SIGHUP handling would otherwise stop the process); a SIGHUP that
 * comes before the proxy runs is logged and ignored. The reload itself runs on the proxy's reload
 * thread, one at a time with those from the admin API and the file watch, and logs its result.
 */
final class ReloadSignal {

    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    private volatile FulcrumProxy proxy;

    private ReloadSignal() {
    }

    static ReloadSignal install() {
        ReloadSignal reload = new ReloadSignal();
        try {
            Signal.handle(new Signal("HUP"), s -> reload.onSignal());
        } catch (IllegalArgumentException unsupported) {
            log.warn("SIGHUP cannot be handled here ({}): reload with POST /api/reload or the file watch", unsupported.getMessage());
        }
        return reload;
    }

    /** From now on, SIGHUP reloads {@code proxy}. */
    void attach(FulcrumProxy proxy) {
        this.proxy = proxy;
    }

    /** What the handler does; returns the reload under way, or {@code null} when there is no proxy yet. */
    CompletableFuture<ReloadResult> onSignal() {
        FulcrumProxy running = proxy;
        if (running == null || !running.isRunning()) {
            log.warn("SIGHUP ignored: the proxy is not running (yet)");
            return null;
        }
        log.info("SIGHUP: reloading {}", running.config().source());
        return running.requestReload();
    }
}
