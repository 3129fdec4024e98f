package dev.fulcrum.proxy.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Threads owned by one test, so its blocking clients never wait behind another test's tasks (the
 * common fork-join pool has a single thread on a 2-core machine) and never outlive the test.
 */
public final class TestThreads implements AutoCloseable {

    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-client");
        thread.setDaemon(true);
        return thread;
    });

    public <T> CompletableFuture<T> supply(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, executor);
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
