package dev.fulcrum.proxy;

import java.util.function.BooleanSupplier;

/**
 * Polls a condition that becomes true asynchronously; fails with a description when it does not
 * within 30 s (a margin for a loaded 2-core machine: a condition that holds returns at once).
 */
final class TestWaits {

    private TestWaits() {
    }

    static void until(BooleanSupplier condition, String description) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + description);
            }
            Thread.sleep(10);
        }
    }
}
