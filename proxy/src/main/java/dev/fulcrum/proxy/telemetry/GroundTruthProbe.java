package dev.fulcrum.proxy.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Reads each backend's ground truth (say, its busy workers, as Aquarius reads Apache's scoreboard)
 * from a URL, on a thread of its own with a timeout, never on an event loop. The control thread
 * starts a fetch per backend each tick (unless one is still running) and takes the value of the
 * fetch that ended since: a row carries the last answer, at most one tick old. A failed, late or
 * unreadable answer is an empty cell, counted in {@code fulcrum_telemetry_ground_truth_failures_total}.
 */
final class GroundTruthProbe implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, URI> urls = new HashMap<>();
    private final String field;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "fulcrum-ground-truth");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http;
    private final Map<String, CompletableFuture<Double>> inFlight = new HashMap<>();
    private final Map<String, Counter> failures = new HashMap<>();
    private final MeterRegistry registry;

    /** @param urls by {@code pool/backend} */
    GroundTruthProbe(Map<String, String> urls, String field, Duration timeout, MeterRegistry registry) {
        urls.forEach((key, url) -> this.urls.put(key, URI.create(url)));
        this.field = field;
        this.timeout = timeout;
        this.registry = registry;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(timeout).build();
    }

    boolean has(String pool, String backend) {
        return urls.containsKey(pool + "/" + backend);
    }

    /**
     * On the control thread: the value fetched since the last call (NaN for none or a failure), and
     * a new fetch started.
     */
    double take(String pool, String backend) {
        String key = pool + "/" + backend;
        URI url = urls.get(key);
        if (url == null) {
            return Double.NaN;
        }
        double value = Double.NaN;
        CompletableFuture<Double> previous = inFlight.get(key);
        if (previous != null && !previous.isDone()) {
            // Still running (it has its own timeout): this row has no fresh value, which is a failure to answer in time.
            failed(pool, backend);
            return value;
        }
        if (previous != null) {
            value = previous.getNow(Double.NaN);
            if (Double.isNaN(value)) {
                failed(pool, backend);
            }
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        inFlight.put(key, http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(this::parse)
                .orTimeout(timeout.toMillis() + 50, TimeUnit.MILLISECONDS)
                .exceptionally(e -> Double.NaN));
        return value;
    }

    private double parse(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            return Double.NaN;
        }
        String body = response.body().strip();
        try {
            if (field == null) {
                return Double.parseDouble(body);
            }
            JsonNode node = JSON.readTree(body).get(field);
            return node != null && node.isNumber() ? node.doubleValue() : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private void failed(String pool, String backend) {
        failures.computeIfAbsent(pool + "/" + backend, k -> registry.counter(MeterNames.GROUND_TRUTH_FAILURES,
                Tags.of(MeterNames.TAG_POOL, pool, MeterNames.TAG_BACKEND, backend))).increment();
    }

    long failures(String pool, String backend) {
        Counter counter = failures.get(pool + "/" + backend);
        return counter == null ? 0 : (long) counter.count();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
