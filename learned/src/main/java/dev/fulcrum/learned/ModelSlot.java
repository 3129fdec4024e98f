package dev.fulcrum.learned;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One named model and what it compiles to, swapped whole when its file changes or the admin API
 * asks. Readers (the data plane) only read the volatile {@link #compiled()}: a swap never blocks or
 * fails a pick, and a flow picked before it keeps its backend. A file that fails to load or compile
 * leaves the current model serving (or none, and the policy's fallback) and is counted and reported.
 *
 * @param <T> what the model compiles to (the learned hash's lookup structure, or the model itself)
 */
public final class ModelSlot<T> {

    /** Turns a checked model into what its readers use; may reject it (the message names the file). */
    public interface Compiler<T> {
        T compile(LoadedModel model) throws ModelRejectedException;
    }

    /** What a reload did: swapped in a new model, found the same file, or refused it (with why). */
    public record Outcome(String name, String result, String version, String checksum, String error) {
    }

    private record Current<T>(LoadedModel model, T compiled, Instant loadedAt) {
    }

    private final String name;
    private final Path file;
    private final ModelKind kind;
    private final Compiler<T> compiler;
    private final Counter failures;
    /** Counted here too: a composite registry with nothing bound yet drops increments. */
    private final java.util.concurrent.atomic.AtomicLong failureCount = new java.util.concurrent.atomic.AtomicLong();
    private final Timer inference;
    private final MeterRegistry meters;
    private final List<BiConsumer<T, T>> swapListeners = new CopyOnWriteArrayList<>();
    private volatile Current<T> current;
    private volatile String lastError;
    private volatile Gauge info;

    ModelSlot(String name, Path file, ModelKind kind, Compiler<T> compiler, MeterRegistry meters) {
        this.name = name;
        this.file = file.toAbsolutePath().normalize();
        this.kind = kind;
        this.compiler = compiler;
        this.meters = meters;
        this.failures = Counter.builder("fulcrum.model.load.failures").tag("name", name)
                .description("Model files refused (not ONNX, wrong contract, NaN, compile failure)").register(meters);
        this.inference = Timer.builder("fulcrum.model.inference").tag("name", name)
                .description("ONNX Runtime run time per batch (loading, compiling, control-thread inference)").register(meters);
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    public ModelKind kind() {
        return kind;
    }

    /** What the current model compiled to, or {@code null} when none has loaded yet. Safe on any thread. */
    public T compiled() {
        Current<T> now = current;
        return now == null ? null : now.compiled;
    }

    /** The current model (for control-thread inference), or {@code null}. */
    public LoadedModel model() {
        Current<T> now = current;
        return now == null ? null : now.model;
    }

    /** Called on the reloading thread after each swap with (old, new); old is {@code null} on the first load. */
    public void onSwap(BiConsumer<T, T> listener) {
        swapListeners.add(listener);
    }

    /**
     * Loads the file, checks and compiles it, and swaps it in. Runs on the caller's thread (the
     * watcher, an admin request's worker, a configuration load): never an event loop.
     */
    public synchronized Outcome reload() {
        Current<T> before = current;
        try {
            if (before != null && Files.exists(file)
                    && ModelLoader.sha256(Files.readAllBytes(file)).equals(before.model.checksum())) {
                return outcome("unchanged", before.model, null);
            }
        } catch (IOException e) {
            // fall through: the load below reports the file's problem
        }
        LoadedModel model;
        T compiled;
        try {
            model = ModelLoader.load(file, kind, nanos -> inference.record(nanos, TimeUnit.NANOSECONDS));
            try {
                compiled = compiler.compile(model);
            } catch (ModelRejectedException | RuntimeException e) {
                model.close();
                throw e instanceof ModelRejectedException r ? r : new ModelRejectedException(file, "cannot be compiled (" + e + ")", e);
            }
        } catch (ModelRejectedException e) {
            failures.increment();
            failureCount.incrementAndGet();
            lastError = e.getMessage();
            return outcome("refused", before == null ? null : before.model, e.getMessage());
        }
        current = new Current<>(model, compiled, Instant.now());
        lastError = null;
        publishInfo(model);
        if (before != null) {
            before.model.close();
        }
        for (BiConsumer<T, T> listener : swapListeners) {
            listener.accept(before == null ? null : before.compiled, compiled);
        }
        return outcome("swapped", model, null);
    }

    private Outcome outcome(String result, LoadedModel serving, String error) {
        return new Outcome(name, result, serving == null ? null : serving.version(),
                serving == null ? null : serving.checksum(), error);
    }

    /** An info-style gauge: value 1, the serving model in its tags; replaced on each swap. */
    private void publishInfo(LoadedModel model) {
        Gauge old = info;
        info = Gauge.builder("fulcrum.model.info", () -> 1)
                .tags("name", name, "kind", kind.label(), "version", model.version(), "checksum", model.checksum().substring(0, 16))
                .description("The model each slot serves (value always 1)").register(meters);
        if (old != null && old != info) {
            meters.remove(old);
        }
    }

    public long failures() {
        return failureCount.get();
    }

    /** The slot as {@code GET /api/models} shows it. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        Current<T> now = current;
        status.put("name", name);
        status.put("kind", kind.label());
        status.put("file", file.toString());
        status.put("serving", now != null);
        status.put("version", now == null ? null : now.model.version());
        status.put("checksum", now == null ? null : now.model.checksum());
        status.put("loadedAt", now == null ? null : now.loadedAt.toString());
        status.put("loadFailures", failures());
        status.put("lastError", lastError);
        if (now != null && now.compiled instanceof Describable describable) {
            status.putAll(describable.describe());
        }
        return status;
    }

    /** A compiled model that has more to say in {@code GET /api/models} (its error bound, its grid size). */
    public interface Describable {
        Map<String, Object> describe();
    }

    void close() {
        Current<T> now = current;
        if (now != null) {
            now.model.close();
        }
        meters.remove(failures);
        meters.remove(inference);
        if (info != null) {
            meters.remove(info);
        }
    }
}
