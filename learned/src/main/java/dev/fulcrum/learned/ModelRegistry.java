package dev.fulcrum.learned;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models of a process, by name: what {@code GET /api/models} lists and {@code POST
 * /api/models/{name}} reloads. Policies register their model when they are built (a configuration
 * load, off the data plane); a {@link ModelWatcher} reloads each when its file is replaced.
 *
 * <p>One registry per process ({@link #global()}), because policies are made by
 * {@link java.util.ServiceLoader} factories that get no context. Its meters live in a composite
 * registry that the proxy binds to the one it exposes on {@code /metrics}.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final ModelRegistry GLOBAL = new ModelRegistry();

    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final Map<String, ModelSlot<?>> slots = new TreeMap<>();
    private ModelWatcher watcher;

    public static ModelRegistry global() {
        return GLOBAL;
    }

    /** Meters of every slot, now and later, also go to {@code registry}. */
    public void bindMetrics(MeterRegistry registry) {
        meters.add(registry);
    }

    /** Where the meters of models and their companions (the learned hash's drift monitor, learned policies' own meters) are registered. */
    public MeterRegistry meters() {
        return meters;
    }

    public void unbindMetrics(MeterRegistry registry) {
        meters.remove(registry);
    }

    /**
     * The slot with this name, made (and loaded once, on this thread) if new. A second registration
     * of the name must name the same file and kind: two pools may share a model, not a name.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> ModelSlot<T> register(String name, Path file, ModelKind kind, ModelSlot.Compiler<T> compiler) {
        ModelSlot<?> existing = slots.get(name);
        Path absolute = file.toAbsolutePath().normalize();
        if (existing != null) {
            if (!existing.file().equals(absolute) || existing.kind() != kind) {
                throw new IllegalArgumentException("model " + name + ": " + absolute + " (" + kind.label()
                        + ") (expected: " + existing.file() + " (" + existing.kind().label() + "), as first registered;"
                        + " give the model another name)");
            }
            return (ModelSlot<T>) existing;
        }
        ModelSlot<T> slot = new ModelSlot<>(name, absolute, kind, compiler, meters);
        slot.reload();
        slots.put(name, slot);
        if (watcher == null) {
            watcher = new ModelWatcher(this);
        }
        watcher.watch(slot);
        return slot;
    }

    public synchronized ModelSlot<?> slot(String name) {
        return slots.get(name);
    }

    synchronized List<ModelSlot<?>> slots() {
        return new ArrayList<>(slots.values());
    }

    /** {@code GET /api/models}: every slot's status, by name. */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelSlot<?> slot : slots()) {
            out.add(slot.status());
        }
        return out;
    }

    /** {@code POST /api/models/{name}}: reloads that model from its file; {@code null} when there is no such model. */
    public ModelSlot.Outcome reload(String name) {
        ModelSlot<?> slot = slot(name);
        return slot == null ? null : slot.reload();
    }

    /** Forgets every model (tests; a proxy's shutdown). */
    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        for (ModelSlot<?> slot : slots.values()) {
            slot.close();
        }
        slots.clear();
    }
}
