package dev.fulcrum.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings raised on event loops, logged later by the control thread: an event loop never logs
 * (a slow appender would stall every flow on it). The queue is bounded; past the bound, warnings
 * are counted and dropped. Repeats within one drain are logged once with their count.
 */
final class DataPlaneWarnings {

    static final int CAPACITY = 1024;

    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    /** Called on event loops: never blocks. */
    void report(String warning) {
        if (size.incrementAndGet() > CAPACITY) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(warning);
    }

    /** Called on the control thread. */
    void drainTo(Logger log) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String warning; (warning = queue.poll()) != null; ) {
            size.decrementAndGet();
            counts.merge(warning, 1, Integer::sum);
        }
        counts.forEach((warning, count) -> log.warn(count == 1 ? warning : warning + " (x" + count + ")"));
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            log.warn("{} more data-plane warnings were dropped (more than {} between two control ticks)", lost, CAPACITY);
        }
    }
}
