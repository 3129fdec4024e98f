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
 * comes while the proxy starts is kept and applied as soon as it is attached: {@code /healthz}
 * answers 200 a moment before {@link #attach} runs, and a reload asked for in that moment (the file
 * edited, then SIGHUP) must not be lost. One that comes while the proxy drains or after it stopped
 * is logged and ignored. The reload itself runs on the proxy's reload thread, one at a time with
 * those from the admin API and the file watch, and logs its result.
 */
final class ReloadSignal {

    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    // Guarded by this: a signal and attach() may come at the same time, and exactly one of them must start the reload.
    private FulcrumProxy proxy;
    private boolean pending;

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

    /**
     * From now on, SIGHUP reloads {@code proxy}; returns the reload of a SIGHUP that came while it
     * started, or {@code null} when none did.
     */
    CompletableFuture<ReloadResult> attach(FulcrumProxy proxy) {
        boolean reloadNow;
        synchronized (this) {
            this.proxy = proxy;
            reloadNow = pending;
            pending = false;
        }
        if (!reloadNow) {
            return null;
        }
        log.info("SIGHUP (received while starting): reloading {}", proxy.config().source());
        return proxy.requestReload();
    }

    /**
     * What the handler does; returns the reload under way, or {@code null} when there is none: the
     * proxy is still starting (the reload is kept for {@link #attach}), draining or stopped.
     */
    CompletableFuture<ReloadResult> onSignal() {
        FulcrumProxy running;
        synchronized (this) {
            running = proxy;
            if (running == null) {
                pending = true;
                log.info("SIGHUP while starting: the configuration is read again once the proxy runs");
                return null;
            }
        }
        if (!running.isRunning()) {
            log.warn("SIGHUP ignored: the proxy is draining or stopped");
            return null;
        }
        log.info("SIGHUP: reloading {}", running.config().source());
        return running.requestReload();
    }
}
