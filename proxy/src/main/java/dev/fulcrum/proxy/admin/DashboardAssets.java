package dev.fulcrum.proxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's files, served by the admin server from the jar: the page, its script and style
 * (src/main/resources/dev/fulcrum/proxy/dashboard/) and Chart.js from its webjar. All are read once
 * when the admin server starts, so a request costs no file I/O on the admin event loop, and only
 * the paths in this table exist: a request path is compared whole (after percent-decoding) with
 * the table's keys and never joined onto a directory, so no {@code ..}, encoded or not, reaches a
 * file or resource outside it.
 *
 * <p>Caching: Chart.js's URL carries its version, so it may be cached for a year
 * ({@code immutable}); the dashboard's own files change with Fulcrum and are revalidated each load
 * ({@code no-cache} with an {@code ETag}, answered 304 when unchanged).
 */
final class DashboardAssets {

    /** The path prefixes this class answers for; any other path under them is a 404. */
    static boolean covers(String path) {
        return path.equals("/") || path.startsWith("/dashboard/") || path.startsWith("/webjars/");
    }

    private static final String OWN = "dev/fulcrum/proxy/dashboard/";
    private static final String CHARTJS_POM = "META-INF/maven/org.webjars/chartjs/pom.properties";
    private static final String REVALIDATE = "no-cache";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    /** The page loads only its own files and talks only to this server: no CDN, no inline script. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    record Asset(byte[] bytes, String contentType, String cacheControl, String etag) {
    }

    private final Map<String, Asset> byPath;

    private DashboardAssets(Map<String, Asset> byPath) {
        this.byPath = Map.copyOf(byPath);
    }

    /** Reads every asset from the class path; throws naming the one that is missing (a packaging error). */
    static DashboardAssets load() {
        ClassLoader loader = DashboardAssets.class.getClassLoader();
        Properties chartjs = new Properties();
        try (InputStream in = open(loader, CHARTJS_POM)) {
            chartjs.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(CHARTJS_POM + ": " + e.getMessage(), e);
        }
        String chartPath = "/webjars/chartjs/" + chartjs.getProperty("version") + "/dist/chart.umd.js";
        Map<String, Asset> assets = new LinkedHashMap<>();
        String page = new String(read(loader, OWN + "index.html"), StandardCharsets.UTF_8).replace("{{chartjs}}", chartPath);
        assets.put("/", asset(page.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8", REVALIDATE));
        assets.put("/dashboard/app.js", asset(read(loader, OWN + "app.js"), "text/javascript; charset=utf-8", REVALIDATE));
        assets.put("/dashboard/charts.js", asset(read(loader, OWN + "charts.js"), "text/javascript; charset=utf-8", REVALIDATE));
        assets.put("/dashboard/dashboard.css", asset(read(loader, OWN + "dashboard.css"), "text/css; charset=utf-8", REVALIDATE));
        assets.put(chartPath, asset(read(loader, "META-INF/resources" + chartPath), "text/javascript; charset=utf-8", IMMUTABLE));
        return new DashboardAssets(assets);
    }

    /** The asset at exactly {@code path}, or null. */
    Asset find(String path) {
        return byPath.get(path);
    }

    /** 200 with the file, 304 when the client's copy is current, 404 for a path not in the table, 405 for other methods. */
    FullHttpResponse answer(FullHttpRequest request, String path) {
        Asset asset = byPath.get(path);
        if (asset == null) {
            return AdminHandler.error(HttpResponseStatus.NOT_FOUND, "no dashboard file " + path + " (the dashboard is at /)");
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            FullHttpResponse response = AdminHandler.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed here (expected GET)");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return response;
        }
        boolean current = matches(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), asset.etag());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                current ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
                current ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(asset.bytes()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, asset.cacheControl())
                .set(HttpHeaderNames.ETAG, asset.etag())
                .set("X-Content-Type-Options", "nosniff")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (asset.contentType().startsWith("text/html")) {
            response.headers().set("Content-Security-Policy", CSP).set("Referrer-Policy", "no-referrer");
        }
        return response;
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static Asset asset(byte[] bytes, String contentType, String cacheControl) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(bytes, contentType, cacheControl, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream open(ClassLoader loader, String resource) {
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("dashboard: " + resource + " is not on the class path (a packaging error:"
                    + " expected in the fulcrum jar)");
        }
        return in;
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = open(loader, resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": " + e.getMessage(), e);
        }
    }
}
