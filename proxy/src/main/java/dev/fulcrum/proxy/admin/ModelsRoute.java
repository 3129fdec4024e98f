package dev.fulcrum.proxy.admin;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import dev.fulcrum.learned.hash.DriftMonitors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/models} (every model: kind, file, version, checksum, load failures, last error)
 * and {@code POST /api/models/{name}} (reload that model from its file now; the answer says
 * swapped, unchanged or refused, with why). A reload reads the file and runs ONNX Runtime, so it
 * runs on its own thread, never on the admin event loop; the reply is written when it is done.
 * A learned hash's model also shows its drift monitor ({@code drift}), and
 * {@code GET /api/models/{name}/keys} gives the keys it saw recently, encoded, as distinct
 * {@code [key, count]} pairs: the sample the trainer's follow mode retrains on.
 */
final class ModelsRoute {

    static final Pattern PATH = Pattern.compile("/api/models(?:/([^/]+)(/keys)?)?/?");

    private static final ExecutorService RELOADS = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fulcrum-model-reload");
        thread.setDaemon(true);
        return thread;
    });

    /** What to answer: a status, a JSON body, and the methods allowed when the method was wrong. */
    record Reply(HttpResponseStatus status, Object body, String allow) {
    }

    private final ModelRegistry registry;

    ModelsRoute(ModelRegistry registry) {
        this.registry = registry;
    }

    CompletableFuture<Reply> answer(HttpMethod method, Matcher path) {
        String name = path.group(1) == null ? null : QueryStringDecoder.decodeComponent(path.group(1));
        if (name == null) {
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
                return done(new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        Map.of("error", method + " is not allowed here (expected GET; POST /api/models/{name} reloads one)"), "GET, HEAD"));
            }
            return done(new Reply(HttpResponseStatus.OK, Map.of("models", registry.describe()), null));
        }
        if (path.group(2) != null) {
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
                return done(new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        Map.of("error", method + " is not allowed here (expected GET)"), "GET, HEAD"));
            }
            // Sorting a sample of 131072 keys is not for an event loop either.
            return CompletableFuture.supplyAsync(() -> recentKeys(name), RELOADS);
        }
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            List<Map<String, Object>> all = registry.describe();
            for (Map<String, Object> model : all) {
                if (name.equals(model.get("name"))) {
                    Map<String, Object> drift = DriftMonitors.global().status(name);
                    if (drift != null) {
                        model.put("drift", drift);
                    }
                    return done(new Reply(HttpResponseStatus.OK, model, null));
                }
            }
            return done(noSuchModel(name));
        }
        if (!HttpMethod.POST.equals(method)) {
            return done(new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    Map.of("error", method + " is not allowed here (expected GET or POST)"), "GET, HEAD, POST"));
        }
        return CompletableFuture.supplyAsync(() -> {
            ModelSlot.Outcome outcome = registry.reload(name);
            if (outcome == null) {
                return noSuchModel(name);
            }
            HttpResponseStatus status = "refused".equals(outcome.result()) ? HttpResponseStatus.UNPROCESSABLE_ENTITY : HttpResponseStatus.OK;
            return new Reply(status, outcome, null);
        }, RELOADS);
    }

    private Reply recentKeys(String name) {
        double[] keys = DriftMonitors.global().recentKeys(name);
        if (keys == null) {
            return registry.slot(name) == null ? noSuchModel(name) : new Reply(HttpResponseStatus.NOT_FOUND,
                    Map.of("error", "model " + name + " is not a learned hash (keys are kept for learned-hash models only)"), null);
        }
        Arrays.sort(keys);
        List<double[]> counted = new ArrayList<>();
        for (int i = 0; i < keys.length; ) {
            int j = i;
            while (j < keys.length && keys[j] == keys[i]) {
                j++;
            }
            counted.add(new double[] {keys[i], j - i});
            i = j;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        Object encoding = registry.describe().stream().filter(m -> name.equals(m.get("name")))
                .map(m -> m.get("keyEncoding")).findFirst().orElse(null);
        body.put("keyEncoding", encoding);
        body.put("requests", keys.length);
        body.put("keys", counted);
        return new Reply(HttpResponseStatus.OK, body, null);
    }

    private Reply noSuchModel(String name) {
        return new Reply(HttpResponseStatus.NOT_FOUND, Map.of("error", "no model " + name + " (see GET /api/models)"), null);
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
