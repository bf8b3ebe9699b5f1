package dev.keepalive.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.keepalive.test.AllowBodyLeaks;
import dev.keepalive.transport.KeepAliveTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page at {@code /} in a real browser: Debian's headless {@code chromium} driven through Debian's
 * {@code chromedriver} (packages {@code chromium} and {@code chromium-driver}; override the paths with
 * {@code -Dchromium.binary=…} and {@code -Dchromedriver.binary=…}). It clicks the leak button, sees the open
 * body listed with the sample's line, asks for a GC, and sees the body reclaimed; it runs the storm and sees
 * the chart draw the pool fill, a caller starve, and the pool recover after a GC. Screenshots go to
 * {@code target/browser/}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class LivePageBrowserTests {

    private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");

    private static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");

    private static final Path SCREENSHOTS = Path.of("target", "browser");

    @LocalServerPort
    private int port;

    @Autowired
    private KeepAliveTransport transport;

    private ChromeDriverService service;

    private ChromeDriver browser;

    @BeforeEach
    void startBrowser(@TempDir Path profile) throws IOException {
        assertThat(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)))
            .withFailMessage("The page test needs Debian's Chromium and ChromeDriver at %s and %s. Install them "
                    + "(as root): apt-get update && apt-get install -y chromium chromium-driver", CHROMIUM,
                    CHROMEDRIVER)
            .isTrue();
        OpenBodies.reclaimAll(this.transport);
        this.service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1000", "--user-data-dir=" + profile.toAbsolutePath());
        this.service.start();
        this.browser = new ChromeDriver(this.service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stopBrowser() {
        if (this.browser != null) {
            this.browser.quit();
        }
        if (this.service != null) {
            this.service.stop();
        }
    }

    @Test
    @AllowBodyLeaks(reason = "the page's leak button calls /demo/leak, which drops a response on purpose")
    void aLeakShowsUpWithItsLineAndIsReclaimedAfterGc() throws IOException {
        long leakedBefore = this.transport.bodies().leaked();
        this.browser.get("http://127.0.0.1:" + this.port + "/");
        await("the page's first refresh").atMost(Duration.ofSeconds(15))
            .until(() -> text("#updated").startsWith("updated"));
        assertThat(texts("#bodies .body-row")).isEmpty();

        this.browser.findElement(By.id("demo-leak")).click();
        await("the leak demo's answer").atMost(Duration.ofSeconds(15))
            .until(() -> text("#last-json").contains("\"demo\": \"leak\""));
        assertThat(text("#lesson")).contains("pins its connection");
        await("the open body listed with the sample's line").atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(texts("#bodies .body-row .opened-at")).singleElement()
                .asString()
                .matches("dev\\.keepalive\\.sample\\.LeakDemo\\.run\\(LeakDemo\\.java:\\d+\\)"));
        assertThat(texts(".connection-row .state")).contains("active");
        await("the body flagged as a leak suspect after the 3 s threshold").atMost(Duration.ofSeconds(15))
            .until(() -> texts("#bodies .body-row .state").contains("leak suspect"));
        screenshot("leak-open.png");

        this.browser.findElement(By.id("demo-gc")).click();
        await("the leaked body reclaimed").atMost(Duration.ofSeconds(20))
            .untilAsserted(() -> {
                assertThat(texts("#bodies .body-row")).isEmpty();
                assertThat(text("#body-totals-leaked")).isEqualTo(String.valueOf(leakedBefore + 1));
                assertThat(text("#closed-by")).contains("leak-reclaimed");
            });
        assertThat(text("#bodies-empty")).isEqualTo("No open bodies.");
        assertThat(text("#last-json")).contains("\"demo\": \"gc\"");
        screenshot("leak-reclaimed.png");
    }

    @Test
    @AllowBodyLeaks(reason = "the page's storm button calls /demo/storm, which leaks its bodies on purpose")
    void theChartDrawsThePoolFillingStarvingAndRecoveringDuringAStorm() throws IOException {
        this.browser.get("http://127.0.0.1:" + this.port + "/");
        await("the page's first refresh").atMost(Duration.ofSeconds(15))
            .until(() -> text("#updated").startsWith("updated"));
        assertThat(chart("active", "data-max")).isZero();

        this.browser.findElement(By.id("demo-storm")).click(); // n = 10 against a cap of 8: the ninth waits 2 s
        await("the storm's answer").atMost(Duration.ofSeconds(30))
            .until(() -> text("#last-json").contains("\"demo\": \"storm\"") && text("#last-json").contains("call 9"));
        await("the chart drawing the pool full, a caller starving and the open bodies").atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> {
                assertThat(chart("active", "data-max")).isGreaterThanOrEqualTo(8);
                assertThat(chart("waiting", "data-max")).isGreaterThanOrEqualTo(1);
                assertThat(chart("open", "data-max")).isGreaterThanOrEqualTo(8);
            });
        assertThat(texts("#chart-legend .legend-item")).hasSize(4).anySatisfy((item) -> assertThat(item)
            .startsWith("active connections"));

        this.browser.findElement(By.id("demo-gc")).click();
        await("the chart drawing the recovery").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(chart("active", "data-last")).isZero();
            assertThat(chart("open", "data-last")).isZero();
            assertThat(chart("waiting", "data-last")).isZero();
        });
        // The history is still drawn: full, starved, then recovered.
        assertThat(chart("active", "data-max")).isGreaterThanOrEqualTo(8);
        Object points = ((JavascriptExecutor) this.browser).executeScript(
                "return document.querySelector('#chart polyline[data-series=active]').points.numberOfItems;");
        assertThat(((Number) points).intValue()).isGreaterThanOrEqualTo(3);
        screenshot("live-page-storm.png");
    }

    /** An attribute of the chart's polyline for {@code series}, as a number. */
    private int chart(String series, String attribute) {
        Object value = ((JavascriptExecutor) this.browser).executeScript(
                "const e = document.querySelector('#chart polyline[data-series=' + arguments[0] + ']');"
                        + " return e ? e.getAttribute(arguments[1]) : '-1';",
                series, attribute);
        return Integer.parseInt(String.valueOf(value));
    }

    /** The text of the first element matching {@code selector}, read in one step in the page (no stale elements). */
    private String text(String selector) {
        Object text = ((JavascriptExecutor) this.browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e && !e.hidden ? e.textContent : '';",
                selector);
        return String.valueOf(text).trim();
    }

    @SuppressWarnings("unchecked")
    private List<String> texts(String selector) {
        return (List<String>) ((JavascriptExecutor) this.browser).executeScript(
                "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.trim());", selector);
    }

    private void screenshot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name), png);
    }

}
