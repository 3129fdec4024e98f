package dev.fulcrum.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.telemetry.FeatureStream;
import dev.fulcrum.proxy.config.AdminToken;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes of the admin API: {@code GET /healthz}, {@code GET /api/status}, {@code GET /api/backends},
 * {@code GET /metrics}, {@code GET /api/feedback} (active flows and reward for a parent tier), {@code GET /api/stream} (NDJSON feature vectors, see {@link FeatureStream}),
 * {@code POST /api/pools/{pool}/backends/{backend}/drain} and {@code .../undrain},
 * {@code POST /api/reload}, {@code GET /api/dashboard} and the live dashboard itself ({@code GET /},
 * {@link DashboardAssets}). Every reply is complete JSON or text with a status that says what
 * happened; every error is JSON ({@code {"error": "..."}}): 400 for a malformed request (its
 * connection closed), 401 for a POST without the configured bearer token, 404 for an unknown route,
 * 405 with {@code Allow} for a wrong method.
 *
 * <p>Every POST route changes the proxy, so when the configuration has a token ({@code admin.tokenFile}
 * or {@code FULCRUM_ADMIN_TOKEN}) each needs {@code Authorization: Bearer <token>}; GET routes stay
 * open (they only read, and Prometheus scrapes without credentials).
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String ROUTES = "/healthz, /api/status, /api/backends, /api/feedback, /metrics, /api/stream, /api/reload,"
            + " /api/models[/{name}[/keys]], /api/pools/{pool}/backends/{backend}/drain|undrain, /api/dashboard, / (the dashboard)";

    private final FulcrumProxy proxy;
    private final DashboardAssets dashboard;

    AdminHandler(FulcrumProxy proxy) {
        this.proxy = proxy;
        this.dashboard = DashboardAssets.load();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws JsonProcessingException {
        if (!request.decoderResult().isSuccess()) {
            reply(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "malformed request: " + request.decoderResult().cause()), true);
            return;
        }
        // Before routing: a route added later is protected by being a POST, and without the token
        // nobody learns which mutating routes exist.
        FullHttpResponse denied = isReadOnly(request) ? null : authorize(request);
        if (denied != null) {
            reply(ctx, request, denied, false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals("/api/stream") && HttpMethod.GET.equals(request.method())) {
            FeatureStream stream = proxy.telemetry().stream();
            if (stream == null) {
                reply(ctx, request, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "telemetry is off (telemetry.enabled: false)"), false);
            } else {
                List<String> lines;
                try {
                    lines = FeatureStream.lines(new QueryStringDecoder(request.uri()).parameters().get("lines"));
                } catch (IllegalArgumentException e) {
                    reply(ctx, request, error(HttpResponseStatus.BAD_REQUEST, e.getMessage()), false);
                    return;
                }
                stream.subscribe(ctx.channel(), lines);
            }
            return;
        }
        if (DashboardAssets.covers(path)) {
            reply(ctx, request, dashboard.answer(request, path), false);
            return;
        }
        if (path.equals("/api/reload")) {
            reload(ctx, request);
            return;
        }
        FullHttpResponse response = switch (path) {
            case "/healthz" -> get(request, () -> proxy.isRunning()
                    ? text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, proxy.status().state() + "\n", "text/plain; charset=utf-8"));
            case "/api/status" -> get(request, () -> json(HttpResponseStatus.OK, proxy.status()));
            case "/api/backends" -> get(request, () -> json(HttpResponseStatus.OK, proxy.backends()));
            case "/api/dashboard" -> get(request, () -> noStore(json(HttpResponseStatus.OK, proxy.dashboard())));
            case "/api/feedback" -> get(request, () -> feedback(request));
            case "/metrics" -> get(request, () -> text(HttpResponseStatus.OK, proxy.registry().scrape(), PROMETHEUS_TEXT));
            default -> {
                Matcher drain = DRAIN.matcher(path);
                Matcher models = ModelsRoute.PATH.matcher(path);
                if (models.matches()) {
                    models(ctx, request, models);
                    yield null;
                }
                yield drain.matches() ? drain(request, drain)
                        : error(HttpResponseStatus.NOT_FOUND, "no route " + path + " (expected one of " + ROUTES + ")");
            }
        };
        if (response == null) {
            return; // answered later, off this event loop
        }
        reply(ctx, request, response, false);
    }

    private final ModelsRoute models = new ModelsRoute(dev.fulcrum.learned.ModelRegistry.global());

    private void models(ChannelHandlerContext ctx, FullHttpRequest request, Matcher path) {
        HttpMethod method = request.method();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        models.answer(method, path).thenAccept(answer -> ctx.executor().execute(() -> {
            FullHttpResponse response;
            try {
                response = json(answer.status(), answer.body());
            } catch (JsonProcessingException e) {
                response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString());
            }
            if (answer.allow() != null) {
                response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
            }
            send(ctx, response, HttpMethod.HEAD.equals(method), keepAlive);
        }));
    }

    private static final Pattern DRAIN = Pattern.compile("/api/pools/([^/]+)/backends/([^/]+)/(drain|undrain)");

    private FullHttpResponse drain(FullHttpRequest request, Matcher path) throws JsonProcessingException {
        FullHttpResponse refused = postOnly(request);
        if (refused != null) {
            return refused;
        }
        String pool = QueryStringDecoder.decodeComponent(path.group(1));
        String backend = QueryStringDecoder.decodeComponent(path.group(2));
        Object status = proxy.setDraining(pool, backend, path.group(3).equals("drain"));
        if (status == null) {
            return error(HttpResponseStatus.NOT_FOUND, "no backend " + backend + " in pool " + pool + " (see /api/backends)");
        }
        return json(HttpResponseStatus.OK, status);
    }

    /**
     * Reloads on the proxy's reload thread (never on this event loop: it resolves names and binds
     * sockets) and answers when done: 200 with what changed, or 422 with why it was refused.
     */
    private void reload(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse refused = postOnly(request);
        if (refused != null) {
            reply(ctx, request, refused, false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        proxy.requestReload().whenComplete((result, failure) -> ctx.executor().execute(() -> {
            FullHttpResponse response;
            try {
                response = failure != null
                        ? error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "reload failed: " + failure)
                        : json(result.isOk() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY, result);
            } catch (JsonProcessingException e) {
                response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString());
            }
            send(ctx, response, false, keepAlive);
        }));
    }

    /** {@code null} when the request is a POST, else the 405 to answer. */
    private static FullHttpResponse postOnly(FullHttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not allowed here (expected POST)");
            response.headers().set(HttpHeaderNames.ALLOW, "POST");
            return response;
        }
        return null;
    }

    private static boolean isReadOnly(FullHttpRequest request) {
        return HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method());
    }

    /** {@code null} when no token is configured or the request bears it, else the 401 to answer. */
    private FullHttpResponse authorize(FullHttpRequest request) {
        AdminToken token = proxy.config().admin().token();
        if (token == null) {
            return null;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
        if (token.matches(presented)) {
            return null;
        }
        FullHttpResponse response = error(HttpResponseStatus.UNAUTHORIZED, presented == null
                ? "this route needs the admin token (expected: Authorization: Bearer <token>)"
                : "the bearer token is not the admin token");
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, presented == null
                ? "Bearer realm=\"fulcrum\"" : "Bearer realm=\"fulcrum\", error=\"invalid_token\"");
        return response;
    }

    /** {@code GET /api/feedback[?pool=name]}: this Fulcrum's active flows and reward, for its parents (TierFeedback). */
    private FullHttpResponse feedback(FullHttpRequest request) throws JsonProcessingException {
        List<String> pool = new QueryStringDecoder(request.uri()).parameters().get("pool");
        String name = pool == null || pool.isEmpty() ? null : pool.get(0);
        Map<String, Object> body = proxy.tierFeedback() == null ? null : proxy.tierFeedback().feedback(name);
        if (body == null) {
            return error(HttpResponseStatus.NOT_FOUND, "pool: " + name + " (expected one of "
                    + (proxy.tierFeedback() == null ? "[]" : proxy.tierFeedback().poolNames()) + ")");
        }
        return json(HttpResponseStatus.OK, body);
    }

    private interface Route {
        FullHttpResponse answer() throws JsonProcessingException;
    }

    private static FullHttpResponse get(FullHttpRequest request, Route route) throws JsonProcessingException {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not allowed here (expected GET)");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return response;
        }
        return route.answer();
    }

    /** For answers that change every tick: a browser must not show an old one. */
    private static FullHttpResponse noStore(FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) throws JsonProcessingException {
        return text(status, JSON.writeValueAsString(body) + "\n", "application/json");
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        try {
            return json(status, Map.of("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    private static void reply(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean close) {
        send(ctx, response, HttpMethod.HEAD.equals(request.method()), !close && HttpUtil.isKeepAlive(request));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean head, boolean keepAlive) {
        if (head) {
            response.content().clear();
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** An admin connection idle past {@link AdminServer#IDLE_TIMEOUT} (no byte either way) is closed. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
