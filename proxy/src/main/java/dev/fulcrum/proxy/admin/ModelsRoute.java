package dev.fulcrum.proxy.admin;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
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
 */
final class ModelsRoute {

    static final Pattern PATH = Pattern.compile("/api/models(?:/([^/]+))?/?");

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
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            List<Map<String, Object>> all = registry.describe();
            for (Map<String, Object> model : all) {
                if (name.equals(model.get("name"))) {
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

    private Reply noSuchModel(String name) {
        return new Reply(HttpResponseStatus.NOT_FOUND, Map.of("error", "no model " + name + " (see GET /api/models)"), null);
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
