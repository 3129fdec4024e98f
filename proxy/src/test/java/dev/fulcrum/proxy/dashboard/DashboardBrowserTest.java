package dev.fulcrum.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The live dashboard in a real headless browser (Debian's chromium and chromedriver, driven with
 * Selenium): a real Fulcrum with real backends and traffic on loopback, the page loaded from its
 * admin port, its charts drawn by Chart.js with data that keeps arriving and that matches the
 * proxy's own JSON, and not one error in the browser's console. The screenshot is kept in
 * {@code proxy/target/dashboard/dashboard.png}.
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Held (JUL keeps loggers weakly): Selenium warns that it has no CDP module for this Chromium;
     * the test uses WebDriver only, so that warning says nothing about it.
     */
    private static final java.util.logging.Logger SELENIUM_DEVTOOLS = quiet("org.openqa.selenium.devtools");
    private static final java.util.logging.Logger SELENIUM_CHROMIUM = quiet("org.openqa.selenium.chromium");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    @TempDir
    Path dir;
    private DashboardFixture fulcrum;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        for (Path tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertThat(Files.isExecutable(tool)).as(tool + " is missing: install the Debian packages chromium and chromium-driver"
                    + " (scripts/require-tools chromium:chromium chromedriver:chromium-driver; ./run-tests does)").isTrue();
        }
        fulcrum = new DashboardFixture(dir, 40, Duration.ofSeconds(90));
        browser = headlessChromium(dir.resolve("chromium-profile"));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (fulcrum != null) {
            fulcrum.close();
        }
    }

    /** Chromium as root on a machine without network: no sandbox, no GPU, nothing that phones home, a fresh profile. */
    static ChromeDriver headlessChromium(Path profile) {
        // Selenium Manager is never asked for a driver or a browser: both paths are given.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1440,3200", "--hide-scrollbars");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    @Test
    void pageChartsLiveDataFromTheProxyWithoutConsoleErrors() throws Exception {
        browser.get(fulcrum.adminUrl("/"));
        assertThat(browser.getTitle()).isEqualTo("Fulcrum · live dashboard");

        // Chart.js came from the webjar (no network here but loopback) and drew every chart.
        await("three samples drawn", () -> samples() >= 3);
        assertThat(script("return typeof Chart === 'function' ? Chart.version : null")).isEqualTo("4.4.3");
        List<WebElement> canvases = browser.findElements(By.cssSelector(".card canvas"));
        // 7 charts for each of the two pools, 3 insight charts for web, 3 for the bandwidth classes.
        assertThat(canvases).hasSize(2 * 7 + 3 + 3);
        for (WebElement canvas : canvases) {
            assertThat(canvas.getSize().getHeight()).as("a drawn canvas").isGreaterThan(100);
        }
        assertThat(script("return Chart.getChart(document.querySelector(\"[data-chart='web/activeFlows'] canvas\"))"
                + ".data.datasets.map(d => d.label)")).isEqualTo(List.of("fast", "medium", "slow"));

        // The data keeps arriving: the charts hold more points a few seconds later.
        int before = points("web/fctP50Millis");
        await("more points in the p50 chart", () -> points("web/fctP50Millis") >= before + 3);
        await("ten samples drawn", () -> samples() >= 10);

        // Every backend is named, with the numbers the proxy has.
        for (String backend : List.of("fast", "medium", "slow")) {
            assertThat(browser.findElement(By.cssSelector("[data-pool='web'] tr[data-backend='" + backend + "']")).getText())
                    .startsWith(backend);
        }
        await("a p50 for every backend of web", () -> List.of("fast", "medium", "slow").stream().allMatch(b -> !cell("web", b, 7).equals("–")));
        // FCT follows the backends' service times (5 and 80 ms): the page shows the proxy's measurements.
        // (Awaited, not read once: on a loaded machine queueing can hide 75 ms for a 5 s window.)
        await("slow's FCT p50 above fast's", () -> p50("slow") > p50("fast"));
        assertThat(p50("slow")).as("no flow to slow ends before its 80 ms (bucket 50 to 100 ms)").isGreaterThan(50.0);
        // Totals only grow: what the page showed is at most what the proxy answers afterwards.
        long shownFlows = Long.parseLong(cell("web", "fast", 9));
        long shownPicks = Long.parseLong(cell("web", "fast", 11));
        JsonNode backends = JSON.readTree(get("/api/backends"));
        long apiFlows = backends.at("/pools/0/backends/0/flows").asLong();
        assertThat(backends.at("/pools/0/backends/0/name").asText()).isEqualTo("fast");
        assertThat(shownFlows).isPositive().isLessThanOrEqualTo(apiFlows);

        // The policy's insight: a column and a chart per quantity, values as the policy computed them.
        String header = browser.findElement(By.cssSelector("[data-pool='web'] table.backends thead")).getText();
        assertThat(header).contains("picks", "predictedLoad", "selectionShare");
        assertThat(shownPicks).isPositive().isLessThanOrEqualTo(backends.at("/pools/0/backends/0/insight/picks").asLong());
        await("selection shares charted", () -> points("web/insight/selectionShare") >= 3);
        assertThat(script("return Chart.getChart(document.querySelector(\"[data-chart='web/insight/predictedLoad'] canvas\"))"
                + ".data.datasets.length")).as("predicted and measured per backend").isEqualTo(6L);

        // The learned hash's model, and the bandwidth class with its node's watermark.
        String models = browser.findElement(By.id("models")).getText();
        assertThat(models).contains("clients", "learned-hash", "v1");
        await("the watermark read", () -> browser.findElement(By.id("nodes")).getText().contains("cache 0.420"));
        assertThat(browser.findElement(By.id("classes")).getText()).contains("client");

        Path screenshot = Path.of("target", "dashboard", "dashboard.png");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(screenshot)).isGreaterThan(20_000);

        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("browser console").noneMatch(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue());
        // The console is really read: an error the page would log shows up.
        script("console.error('dashboard-test probe')");
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
                .anyMatch(entry -> entry.getLevel() == Level.SEVERE && entry.getMessage().contains("dashboard-test probe"));
    }

    private double p50(String backend) {
        String shown = cell("web", backend, 7);
        return shown.equals("–") ? Double.NaN : Double.parseDouble(shown);
    }

    private int samples() {
        return Integer.parseInt(browser.findElement(By.id("samples")).getAttribute("data-samples"));
    }

    private int points(String chart) {
        List<WebElement> cards = browser.findElements(By.cssSelector("[data-chart='" + chart + "']"));
        return cards.isEmpty() ? 0 : Integer.parseInt(cards.get(0).getAttribute("data-points"));
    }

    /** The text of column {@code column} (0-based) in the row of {@code backend} in the pool's table. */
    private String cell(String pool, String backend, int column) {
        return browser.findElements(By.cssSelector("[data-pool='" + pool + "'] tr[data-backend='" + backend + "'] td"))
                .get(column).getText();
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private String get(String path) throws Exception {
        return getOk(fulcrum.adminUrl(path));
    }

    /** The body of a GET that must answer 200 (the dashboard tests' admin API reads). */
    static String getOk(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Waits (60 s at most: the machine is shared) until {@code condition} holds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

}
