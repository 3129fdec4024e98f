package dev.fulcrum.proxy.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful shutdown (the caller drains and exits 0); a second one while
 * draining stops at once with exit code 1, as operators of HAProxy and Envoy expect.
 */
final class ShutdownSignals {

    private final CountDownLatch received = new CountDownLatch(1);
    private volatile String name;

    private ShutdownSignals() {
    }

    static ShutdownSignals install() {
        ShutdownSignals signals = new ShutdownSignals();
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> signals.onSignal("SIG" + s.getName()));
        }
        return signals;
    }

    private void onSignal(String signal) {
        if (received.getCount() == 0) {
            System.err.println(signal + " again: stopping now without draining");
            Runtime.getRuntime().halt(1);
        }
        name = signal;
        received.countDown();
    }

    void await() throws InterruptedException {
        received.await();
    }

    /** Waits up to {@code timeout}; true when a signal came. */
    boolean await(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        return received.await(timeout, unit);
    }

    boolean isReceived() {
        return received.getCount() == 0;
    }

    String received() {
        return name;
    }
}
