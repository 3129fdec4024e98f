package dev.fulcrum.proxy.reliability;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Bounded waits and the resources a test checks return to their baseline: file descriptors and direct memory. */
final class Resources {

    private Resources() {
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }

    /** Direct memory Netty holds (pooled arenas and unpooled buffers), -1 if Netty does not track it. */
    static long directMemory() {
        return PlatformDependent.usedDirectMemory();
    }

    /** What a test measured before it began, to compare against after. */
    record Baseline(long fds, long direct) {
        static Baseline now() {
            return new Baseline(openFds(), directMemory());
        }

        /**
         * Waits until the fd count is back within {@code fdSlack} of the baseline and direct memory
         * within {@code directSlack} bytes: pooled arenas keep chunks they allocated, so the bound is
         * on growth, not a return to the exact figure.
         */
        void awaitReturn(int fdSlack, long directSlack) throws InterruptedException {
            until(() -> openFds() <= fds + fdSlack && directMemory() <= direct + directSlack, 20_000,
                    () -> "resources back to baseline: fds " + openFds() + " (baseline " + fds + ", slack " + fdSlack
                            + "), direct memory " + directMemory() + " (baseline " + direct + ", slack " + directSlack + ")");
        }
    }

    static void until(BooleanSupplier condition, long millis, java.util.function.Supplier<String> description) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + description.get());
            }
            Thread.sleep(20);
        }
    }

    static void until(BooleanSupplier condition, String description) throws InterruptedException {
        until(condition, 20_000, () -> description);
    }
}
