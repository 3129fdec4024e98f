package dev.fulcrum.proxy.qos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.config.QosConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads one node's watermark over HTTP, asynchronously on the HTTP client's own thread (never an
 * event loop, never blocking the control thread), with a timeout; one request in flight at most.
 * The answer is a JSON object with a number under the configured field, or Prometheus text with a
 * sample of that name; the value must lie in [0, 1].
 */
final class WatermarkReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final QosConfig.Node node;
    private final HttpClient client;
    private final Duration timeout;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private volatile double last = Double.NaN;
    private volatile long lastNanos;

    WatermarkReader(QosConfig.Node node, HttpClient client, Duration timeout) {
        this.node = node;
        this.client = client;
        this.timeout = timeout;
    }

    /** Starts a read unless one is under way; failures go to {@code warn}. */
    void refresh(Consumer<String> warn) {
        if (!inFlight.compareAndSet(false, true)) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(node.watermark()).timeout(timeout).GET().build();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            try {
                if (error != null) {
                    warn.accept("qos node " + node.name() + ": watermark from " + node.watermark() + " failed: " + error);
                } else if (response.statusCode() != 200) {
                    warn.accept("qos node " + node.name() + ": " + node.watermark() + " answered " + response.statusCode()
                            + " (expected: 200)");
                } else {
                    last = parse(response.body());
                    lastNanos = System.nanoTime();
                }
            } catch (IllegalArgumentException e) {
                warn.accept("qos node " + node.name() + ": " + node.watermark() + ": " + e.getMessage());
            } finally {
                inFlight.set(false);
            }
        });
    }

    double parse(String body) {
        double value = node.format().equals("prometheus") ? prometheus(body) : json(body);
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(node.field() + ": " + value + " (expected: a watermark from 0 to 1)");
        }
        return value;
    }

    private double json(String body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON (expected: {\"" + node.field() + "\": <0..1>})");
        }
        JsonNode value = tree == null ? null : tree.get(node.field());
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("field " + node.field() + ": " + (value == null ? "missing" : value.toString())
                    + " (expected: a number)");
        }
        return value.doubleValue();
    }

    private double prometheus(String body) {
        for (String line : body.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            String trimmed = line.trim();
            if (trimmed.startsWith(node.field() + " ") || trimmed.startsWith(node.field() + "{")) {
                String[] parts = trimmed.split("\\s+");
                int value = trimmed.contains("}") ? indexAfterLabels(parts) : 1;
                try {
                    return Double.parseDouble(parts[value]);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("sample " + node.field() + ": " + trimmed + " (expected: a number)");
                }
            }
        }
        throw new IllegalArgumentException("no sample named " + node.field() + " (expected: one in the Prometheus text)");
    }

    private static int indexAfterLabels(String[] parts) {
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].endsWith("}")) {
                return i + 1;
            }
        }
        return 1;
    }

    /** The last watermark read, or NaN before the first. */
    double last() {
        return last;
    }

    long lastNanos() {
        return lastNanos;
    }
}
