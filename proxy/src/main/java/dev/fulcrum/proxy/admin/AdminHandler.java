package dev.fulcrum.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.proxy.FulcrumProxy;
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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes of the admin API: {@code GET /healthz}, {@code GET /api/status}, {@code GET /metrics},
 * {@code POST /api/pools/{pool}/backends/{backend}/drain} and {@code .../undrain}.
 * Every reply is complete JSON or text with a status that says what happened; a malformed request
 * gets 400 and its connection closed.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final FulcrumProxy proxy;

    AdminHandler(FulcrumProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws JsonProcessingException {
        if (!request.decoderResult().isSuccess()) {
            reply(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "malformed request: " + request.decoderResult().cause()), true);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        FullHttpResponse response = switch (path) {
            case "/healthz" -> get(request, () -> proxy.isRunning()
                    ? text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, proxy.status().state() + "\n", "text/plain; charset=utf-8"));
            case "/api/status" -> get(request, () -> json(HttpResponseStatus.OK, proxy.status()));
            case "/metrics" -> get(request, () -> text(HttpResponseStatus.OK, proxy.registry().scrape(), PROMETHEUS_TEXT));
            default -> {
                Matcher drain = DRAIN.matcher(path);
                Matcher models = ModelsRoute.PATH.matcher(path);
                if (models.matches()) {
                    models(ctx, request, models);
                    yield null;
                }
                yield drain.matches() ? drain(request, drain) : error(HttpResponseStatus.NOT_FOUND, "no route " + path
                        + " (expected one of /healthz, /api/status, /metrics, /api/models[/{name}], /api/pools/{pool}/backends/{backend}/drain|undrain)");
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
            reply(ctx, method, keepAlive, response);
        }));
    }

    private static final Pattern DRAIN = Pattern.compile("/api/pools/([^/]+)/backends/([^/]+)/(drain|undrain)");

    private FullHttpResponse drain(FullHttpRequest request, Matcher path) throws JsonProcessingException {
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not allowed here (expected POST)");
            response.headers().set(HttpHeaderNames.ALLOW, "POST");
            return response;
        }
        String pool = QueryStringDecoder.decodeComponent(path.group(1));
        String backend = QueryStringDecoder.decodeComponent(path.group(2));
        Object status = proxy.setDraining(pool, backend, path.group(3).equals("drain"));
        if (status == null) {
            return error(HttpResponseStatus.NOT_FOUND, "no backend " + backend + " in pool " + pool + " (see /api/status)");
        }
        return json(HttpResponseStatus.OK, status);
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

    private static FullHttpResponse json(HttpResponseStatus status, Object body) throws JsonProcessingException {
        return text(status, JSON.writeValueAsString(body) + "\n", "application/json");
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
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
        reply(ctx, request.method(), !close && HttpUtil.isKeepAlive(request), response);
    }

    private static void reply(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive, FullHttpResponse response) {
        if (HttpMethod.HEAD.equals(method)) {
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
