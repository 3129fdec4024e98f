package dev.fulcrum.loadtest.testbed;

import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The emulated server cluster: groups of {@link EmulatedBackend}s of different capacities, like the
 * Aquarius testbed's 2-CPU and 4-CPU Apache groups (Yao et al. 2021, table 2), all on one event loop
 * (their service times are timers, so one thread serves them all).
 */
public final class BackendGroups implements AutoCloseable {

    /** {@code count} backends of {@code slots} slots at {@code speed}, named {@code <prefix>-<i>}. */
    public record Group(String prefix, int count, int slots, double speed) {}

    /** The default cluster: three 2-slot and two 4-slot backends (14 slots), backlog 128 each. */
    public static final List<Group> DEFAULT = List.of(new Group("s2", 3, 2, 1.0), new Group("s4", 2, 4, 1.0));

    static final int BACKLOG = 128;

    private final EventLoopGroup loopGroup = Transports.group(1);
    private final List<EmulatedBackend> backends = new ArrayList<>();

    public BackendGroups(List<Group> groups) throws InterruptedException {
        try {
            for (Group group : groups) {
                for (int i = 0; i < group.count(); i++) {
                    backends.add(new EmulatedBackend(group.prefix() + "-" + i, group.slots(), group.speed(), BACKLOG, loopGroup.next()));
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public List<EmulatedBackend> backends() {
        return backends;
    }

    /** Requests per second the cluster can serve at full utilisation for a workload. */
    public double capacity(Workload workload) {
        double slotSeconds = backends.stream().mapToDouble(b -> b.slots() * b.speed()).sum();
        return slotSeconds / workload.meanWorkSeconds();
    }

    /** Waits (up to {@code timeoutMillis}) until no backend has a request in service or queued. */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (backends.stream().map(EmulatedBackend::stats).allMatch(s -> s.busy() == 0 && s.queue() == 0)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Override
    public void close() {
        backends.forEach(EmulatedBackend::close);
        loopGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
