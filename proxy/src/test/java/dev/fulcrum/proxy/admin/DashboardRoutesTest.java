package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's routes over real HTTP: its files with their content types and caching headers,
 * nothing else reachable through them (path traversal, encoded or not), and {@code /api/dashboard}
 * and {@code /api/backends} carrying the policy's insight. The page itself runs in
 * {@code DashboardBrowserTest}.
 */
class DashboardRoutesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer a;
    private static TestServer b;
    private static FulcrumProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        a = TestServer.echo();
        b = TestServer.echo();
        proxy = FulcrumProxy.start(TestConfigs.builder().admin().policy("test-insight").backend(a.port()).backend(b.port()).build());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void pageScriptsStyleAndChartJsComeFromTheJarWithTheirTypesAndCaching() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'", "connect-src 'self'").doesNotContain("unsafe"));
        assertThat(page.body()).contains("<script src=\"/webjars/chartjs/4.4.3/dist/chart.umd.js\" defer></script>");

        List<String> linked = new ArrayList<>();
        Matcher references = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"").matcher(page.body());
        while (references.find()) {
            linked.add(references.group(1));
        }
        assertThat(linked).contains("/dashboard/dashboard.css", "/dashboard/charts.js", "/dashboard/app.js",
                "/webjars/chartjs/4.4.3/dist/chart.umd.js");
        for (String path : linked) {
            HttpResponse<String> file = get(path);
            assertThat(file.statusCode()).as(path).isEqualTo(200);
            String type = file.headers().firstValue("content-type").orElseThrow();
            if (path.endsWith(".js")) {
                assertThat(type).as(path).isEqualTo("text/javascript; charset=utf-8");
            } else if (path.endsWith(".css")) {
                assertThat(type).as(path).isEqualTo("text/css; charset=utf-8");
            }
        }

        HttpResponse<String> chart = get("/webjars/chartjs/4.4.3/dist/chart.umd.js");
        assertThat(chart.body()).startsWith("/*!\n * Chart.js v4.4.3");
        assertThat(chart.headers().firstValue("cache-control")).hasValue("public, max-age=31536000, immutable");

        String etag = get("/dashboard/app.js").headers().firstValue("etag").orElseThrow();
        HttpResponse<String> unchanged = HTTP.send(HttpRequest.newBuilder(uri("/dashboard/app.js")).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        HttpResponse<String> changed = HTTP.send(HttpRequest.newBuilder(uri("/dashboard/app.js")).header("If-None-Match", "\"old\"").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).contains("/api/dashboard");

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void noPathReachesAFileOutsideTheDashboardsOwn() throws Exception {
        List<String> attempts = List.of(
                "/webjars/chartjs/4.4.3/dist/../../../../logback.xml",
                "/webjars/chartjs/4.4.3/dist/%2e%2e/%2e%2e/%2e%2e/%2e%2e/logback.xml",
                "/webjars/chartjs/4.4.3/dist/..%2f..%2f..%2f..%2flogback.xml",
                "/webjars/chartjs/4.4.3/dist/..\\..\\..\\..\\logback.xml",
                "/webjars/chartjs/4.4.3/package.json",
                "/webjars/chartjs/4.4.3/dist/chart.umd.js.map",
                "/webjars/../META-INF/MANIFEST.MF",
                "/dashboard/../logback.xml",
                "/dashboard/%2e%2e/logback.xml",
                "/dashboard/..%5clogback.xml",
                "/dashboard/app.js/../../dev/fulcrum/proxy/admin/AdminHandler.class",
                "/dashboard/index.html",
                "/dashboard//etc/passwd",
                "/dashboard/%2fetc%2fpasswd",
                "/dashboard/app.js%00.html",
                "/dashboard/APP.JS",
                "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                "//etc/passwd");
        for (String path : attempts) {
            String response = raw("GET " + path + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
            assertThat(response).as(path).matches("(?s)HTTP/1\\.1 (404|400) .*");
            assertThat(response).as(path).doesNotContain("<configuration", "root:x:", "Chart.js", "\"name\"", "Manifest-Version");
        }
    }

    @Test
    void dashboardJsonIsTheControlThreadsSnapshotWithThePolicysInsight() throws Exception {
        for (int i = 0; i < 6; i++) {
            try (Socket flow = new Socket()) {
                flow.connect(proxy.listenerAddress(TestConfigs.LISTENER));
                flow.getOutputStream().write('x');
                assertThat(flow.getInputStream().read()).isEqualTo('x');
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode view;
        do {
            HttpResponse<String> response = get("/api/dashboard");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
            view = JSON.readTree(response.body());
            assertThat(System.nanoTime()).as("the six flows in /api/dashboard: " + view).isLessThan(deadline);
            Thread.sleep(50);
        } while (view.at("/pools/0/backends/0/flows").asLong() + view.at("/pools/0/backends/1/flows").asLong() < 6
                || view.at("/pools/0/backends/0/fctP50Millis").isNull());
        assertThat(view.at("/state").asText()).isEqualTo("running");
        assertThat(view.at("/pools/0/policy").asText()).isEqualTo("test-insight");
        assertThat(view.at("/pools/0/insightQuantities").toString()).isEqualTo("[\"picks\",\"predictedLoad\",\"selectionShare\"]");
        JsonNode b0 = view.at("/pools/0/backends/0");
        assertThat(b0.get("name").asText()).isEqualTo("b0");
        // Least connections over sequential flows alternates only if each flow has ended at the proxy
        // before the next is picked; under load one may still be open, so the split is read, not assumed.
        long b0Picks = b0.at("/insight/picks").asLong();
        assertThat(b0Picks).isEqualTo(b0.get("flows").asLong());
        assertThat(b0.at("/insight/selectionShare").asDouble()).isEqualTo(b0Picks / 6.0);
        assertThat(b0.get("fctP50Millis").asDouble()).isPositive();
        assertThat(view.at("/classes").size()).isZero();

        JsonNode backends = JSON.readTree(get("/api/backends").body());
        assertThat(backends.at("/pools/0/backends/1/insight/picks").asLong()).isEqualTo(6 - b0Picks);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }

    /** A request sent byte for byte (an HTTP client would normalise the path), and the whole answer. */
    private static String raw(String request) throws Exception {
        try (Socket socket = new Socket(proxy.adminAddress().getAddress(), proxy.adminAddress().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
