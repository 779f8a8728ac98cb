package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven by its chromedriver through Selenium, for the tests that look at a page as a
 * user would. {@link #close()} quits chromium and stops chromedriver; the profile lives in the folder given to
 * {@link #start}, so nothing is left in the home or temp folder.
 *
 * <pre>{@code
 * try (HeadlessChromium browser = HeadlessChromium.start(work)) {
 *     browser.open(report.toUri().toString());
 *     int[] rgb = browser.pixel(browser.driver().findElement(By.cssSelector("img")), 8, 8);
 * }
 * }</pre>
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** Starts chromedriver and a headless chromium of 1100x900 whose profile is {@code workDir/chromium}. */
    static HeadlessChromium start(Path workDir) throws IOException {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromedriver (apt-get install chromium-driver)").isExecutable();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--user-data-dir=" + Files.createDirectories(workDir.resolve("chromium")), "--window-size=1100,900");
        try {
            return new HeadlessChromium(service, new ChromeDriver(service, options));
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Loads a page: an http URL, or a file. */
    void open(String url) {
        driver.get(url);
    }

    void open(Path file) {
        driver.get(file.toUri().toString());
    }

    /** Polls {@code condition} for up to a minute; fails with the page's text when it never holds. */
    void waitUntil(Predicate<ChromeDriver> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.test(driver)) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e; // e.g. an element re-rendered between finding and reading it
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within " + WAIT.toSeconds() + " s; page text:\n"
                + driver.findElement(By.tagName("body")).getText(), last);
    }

    /** An image's natural width, 0 while it has not loaded (or failed to decode). */
    long naturalWidth(WebElement img) {
        Object w = driver.executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0", img);
        return ((Number) w).longValue();
    }

    /** The RGB of one pixel of a loaded image, at its natural size, read through a canvas. */
    int[] pixel(WebElement img, int x, int y) {
        @SuppressWarnings("unchecked")
        List<Number> rgb = (List<Number>) driver.executeScript(
                "const i = arguments[0], c = document.createElement('canvas');"
                        + "c.width = i.naturalWidth; c.height = i.naturalHeight;"
                        + "const g = c.getContext('2d'); g.drawImage(i, 0, 0);"
                        + "const p = g.getImageData(arguments[1], arguments[2], 1, 1).data;"
                        + "return [p[0], p[1], p[2]];", img, x, y);
        return rgb.stream().mapToInt(Number::intValue).toArray();
    }

    /** The share of a loaded image's pixels within {@code tolerance} (sum of |channel differences|) of a colour. */
    double fractionNear(WebElement img, int r, int g, int b, int tolerance) {
        Object f = driver.executeScript(
                "const i = arguments[0], c = document.createElement('canvas');"
                        + "c.width = i.naturalWidth; c.height = i.naturalHeight;"
                        + "const x = c.getContext('2d'); x.drawImage(i, 0, 0);"
                        + "const d = x.getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + "for (let k = 0; k < d.length; k += 4) {"
                        + "  if (Math.abs(d[k] - arguments[1]) + Math.abs(d[k + 1] - arguments[2])"
                        + "      + Math.abs(d[k + 2] - arguments[3]) <= arguments[4]) n++; }"
                        + "return n / (d.length / 4);", img, r, g, b, tolerance);
        return ((Number) f).doubleValue();
    }

    /** A PNG screenshot of the window. */
    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        try {
            driver.quit(); // ends chromium
        } finally {
            service.stop(); // ends chromedriver
        }
    }
}
