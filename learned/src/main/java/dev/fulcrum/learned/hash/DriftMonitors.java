package dev.fulcrum.learned.hash;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The {@link DriftMonitor} of every learned-hash model of the process, by model name, beside
 * {@link ModelRegistry#global()} (policies are made by ServiceLoader factories with no context).
 * The proxy runs {@link #tick} on its control thread and shows {@link #status} and
 * {@link #recentKeys} in its admin API. A monitor whose model is no longer registered (the registry
 * was closed) is dropped on the next tick.
 */
public final class DriftMonitors {

    private static final DriftMonitors GLOBAL = new DriftMonitors(ModelRegistry.global());

    private final ModelRegistry registry;
    private final Map<String, DriftMonitor> monitors = new TreeMap<>();

    DriftMonitors(ModelRegistry registry) {
        this.registry = registry;
    }

    public static DriftMonitors global() {
        return GLOBAL;
    }

    /** The slot's monitor, made if new (or if the name's earlier slot is gone). */
    synchronized DriftMonitor monitor(ModelSlot<CompiledLearnedHash> slot) {
        DriftMonitor monitor = monitors.get(slot.name());
        if (monitor != null && monitor.slot() == slot) {
            return monitor;
        }
        if (monitor != null) {
            monitor.close();
        }
        monitor = new DriftMonitor(slot, registry.meters());
        monitors.put(slot.name(), monitor);
        return monitor;
    }

    /** Control thread: every monitor's tick; {@code log} gets each event's message. */
    public void tick(long nowNanos, Consumer<String> log) {
        for (DriftMonitor monitor : current()) {
            monitor.tick(nowNanos, log);
        }
    }

    private synchronized List<DriftMonitor> current() {
        List<DriftMonitor> live = new ArrayList<>();
        monitors.values().removeIf(monitor -> {
            if (registry.slot(monitor.slot().name()) != monitor.slot()) {
                monitor.close();
                return true;
            }
            return false;
        });
        live.addAll(monitors.values());
        return live;
    }

    /** The named model's drift status, or {@code null} when it is not a learned hash. */
    public synchronized Map<String, Object> status(String name) {
        DriftMonitor monitor = monitors.get(name);
        return monitor == null ? null : monitor.status();
    }

    public synchronized DriftMonitor byName(String name) {
        return monitors.get(name);
    }

    /** The named model's recent keys (encoded), or {@code null} when it is not a learned hash. */
    public double[] recentKeys(String name) {
        DriftMonitor monitor = byName(name);
        return monitor == null ? null : monitor.recentKeys();
    }
}
