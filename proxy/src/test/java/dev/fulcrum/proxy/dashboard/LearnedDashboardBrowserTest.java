package dev.fulcrum.proxy.dashboard;

import static dev.fulcrum.proxy.dashboard.DashboardBrowserTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The live dashboard showing the learned policies' state, in headless Chromium (as
 * {@link DashboardBrowserTest}): a real {@code load-aware} pool and a real {@code q-network} pool
 * with the fixture models of their own tests ({@link LearnedDashboardFixture}). The page shows the
 * load-aware pool's predicted load per backend against the measured active flows, and the
 * q-network's Q-values and selection distribution, with the values the proxy computed; no console
 * entry at warning level or above. The screenshot is {@code proxy/target/dashboard/dashboard-learned.png}.
 */
class LearnedDashboardBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> THREE = List.of("fast", "medium", "slow");
    private static final int HELD = 6;

    @TempDir
    Path dir;
    private LearnedDashboardFixture fulcrum;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        for (Path tool : List.of(DashboardBrowserTest.CHROMIUM, DashboardBrowserTest.CHROMEDRIVER)) {
            assertThat(Files.isExecutable(tool)).as(tool + " is missing: install the Debian packages chromium and chromium-driver"
                    + " (scripts/require-tools chromium:chromium chromedriver:chromium-driver; ./run-tests does)").isTrue();
        }
        fulcrum = new LearnedDashboardFixture(dir, 40, Duration.ofSeconds(90));
        browser = DashboardBrowserTest.headlessChromium(dir.resolve("chromium-profile"));
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

    @Test
    void pageShowsPredictedLoadsAndTheSelectionDistributionFromTheProxy() throws Exception {
        fulcrum.holdAware(HELD);
        browser.get(fulcrum.adminUrl("/"));
        assertThat(browser.getTitle()).isEqualTo("Fulcrum · live dashboard");
        await("the load-aware and q-network insight columns", () -> column("aware", "predictedLoad") > 0
                && column("qnet", "selectionProbability") > 0);

        // load-aware: the predicted load is the window's mean of open flows; the pool's flows are
        // held open, so once the window fills every backend's prediction is its measured active flows.
        assertThat(headers("aware")).contains("predictedLoad", "weight");
        await("predicted load = measured active flows for every backend of aware", () -> THREE.stream()
                .allMatch(b -> cell("aware", b, "predictedLoad").equals(cell("aware", b, "active"))));
        assertThat(THREE.stream().mapToInt(b -> Integer.parseInt(cell("aware", b, "active"))).sum())
                .as("the held flows, as the page shows them").isEqualTo(HELD);
        JsonNode backends = JSON.readTree(get("/api/backends"));
        for (JsonNode pool : backends.path("pools")) {
            if (pool.path("name").asText().equals("aware")) {
                for (JsonNode backend : pool.path("backends")) {
                    String name = backend.path("name").asText();
                    assertThat(backend.at("/insight/predictedLoad").asDouble()).as("the proxy's predicted load of " + name)
                            .isEqualTo(Double.parseDouble(cell("aware", name, "predictedLoad")));
                }
            }
        }
        for (String b : THREE) {
            assertThat(Double.parseDouble(cell("aware", b, "weight"))).as("learned weight of " + b).isGreaterThan(0).isLessThanOrEqualTo(1);
        }
        await("predicted loads charted", () -> points("aware/insight/predictedLoad") >= 3);
        assertThat(script("return Chart.getChart(document.querySelector(\"[data-chart='aware/insight/predictedLoad'] canvas\"))"
                + ".data.datasets.map(d => d.label)")).as("predicted and measured per backend")
                .isEqualTo(List.of("fast", "fast measured", "medium", "medium measured", "slow", "slow measured"));
        assertThat(points("aware/insight/weight")).isPositive();

        // q-network: a Boltzmann distribution over the two children, summing to 1, with a Q-value each.
        assertThat(headers("qnet")).contains("qValue", "selectionProbability");
        await("the q-network model picks", () -> fulcrum.proxy.registry().scrape().contains("fulcrum_qnetwork_model_active{pool=\"qnet\"} 1.0"));
        await("a selection probability and a Q-value for both children", () -> List.of("fast", "medium").stream()
                .noneMatch(b -> cell("qnet", b, "selectionProbability").equals("–") || cell("qnet", b, "qValue").equals("–")));
        // Both rows read in one script: the page redraws between two WebDriver calls.
        for (int round = 0; round < 3; round++) {
            List<List<String>> rows = rows("qnet", "selectionProbability", "qValue");
            double sum = 0;
            double boltzmann = 0;
            for (List<String> row : rows) {
                double p = Double.parseDouble(row.get(0));
                assertThat(p).as("selection probability in %s", rows).isBetween(0.0, 1.0);
                sum += p;
                boltzmann += Math.exp(Double.parseDouble(row.get(1)));
            }
            // shown to 4 significant digits each
            assertThat(sum).as("the selection distribution as the page shows it: %s", rows).isCloseTo(1.0, within(0.002));
            // The columns agree: P(k) = exp(Q(s, k) / T) / sum_j exp(Q(s, j) / T), T = 1 (the default).
            for (List<String> row : rows) {
                assertThat(Double.parseDouble(row.get(0))).as("Boltzmann probability of Q in %s", rows)
                        .isCloseTo(Math.exp(Double.parseDouble(row.get(1))) / boltzmann, within(0.002));
            }
            Thread.sleep(1_000);
        }
        double proxySum = 0;
        for (JsonNode pool : JSON.readTree(get("/api/backends")).path("pools")) {
            if (pool.path("name").asText().equals("qnet")) {
                for (JsonNode backend : pool.path("backends")) {
                    proxySum += backend.at("/insight/selectionProbability").asDouble();
                }
            }
        }
        assertThat(proxySum).as("the proxy's selection distribution").isCloseTo(1.0, within(1e-6));
        await("selection probabilities charted", () -> points("qnet/insight/selectionProbability") >= 3);
        assertThat(points("qnet/insight/qValue")).isPositive();

        // Both models in the registry table.
        String models = browser.findElement(By.id("models")).getText();
        assertThat(models).contains("loads", "load-estimator", "choices", "q-network");

        List<WebElement> canvases = browser.findElements(By.cssSelector(".card canvas"));
        // 7 charts for each pool, 2 insight charts each.
        assertThat(canvases).hasSize(2 * 7 + 2 + 2);
        for (WebElement canvas : canvases) {
            assertThat(canvas.getSize().getHeight()).as("a drawn canvas").isGreaterThan(100);
        }

        Path screenshot = Path.of("target", "dashboard", "dashboard-learned.png");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(screenshot)).isGreaterThan(20_000);

        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("browser console").noneMatch(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue());
    }

    private List<String> headers(String pool) {
        return browser.findElements(By.cssSelector("[data-pool='" + pool + "'] table.backends thead th")).stream()
                .map(WebElement::getText).toList();
    }

    /** The index of the last column headed {@code name} (the policy's quantities come last), or -1. */
    private int column(String pool, String name) {
        return headers(pool).lastIndexOf(name);
    }

    private String cell(String pool, String backend, String column) {
        int c = column(pool, column);
        assertThat(c).as(pool + " has a column " + column).isNotNegative();
        return browser.findElements(By.cssSelector("[data-pool='" + pool + "'] tr[data-backend='" + backend + "'] td"))
                .get(c).getText();
    }

    /** For every backend row of the pool, the texts of the given columns, read at one instant of the page. */
    @SuppressWarnings("unchecked")
    private List<List<String>> rows(String pool, String... columns) {
        List<Integer> indexes = java.util.Arrays.stream(columns).map(c -> column(pool, c)).toList();
        assertThat(indexes).as(pool + " has columns " + List.of(columns)).doesNotContain(-1);
        return (List<List<String>>) script("return [...document.querySelectorAll(\"[data-pool='" + pool + "'] tbody tr\")]"
                + ".map(tr => arguments[0].map(c => tr.children[c].textContent))", indexes);
    }

    private int points(String chart) {
        List<WebElement> cards = browser.findElements(By.cssSelector("[data-chart='" + chart + "']"));
        return cards.isEmpty() ? 0 : Integer.parseInt(cards.get(0).getAttribute("data-points"));
    }

    private Object script(String js, Object... arguments) {
        return ((JavascriptExecutor) browser).executeScript(js, arguments);
    }

    private String get(String path) throws Exception {
        return DashboardBrowserTest.getOk(fulcrum.adminUrl(path));
    }
}
