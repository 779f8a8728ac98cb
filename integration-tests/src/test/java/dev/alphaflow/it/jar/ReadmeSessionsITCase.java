package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every copy-paste session of the README, run as written against the shipped jar (each command a JVM of its own,
 * {@code ./alphaflow kafka} a broker process of its own), with the checks a user would make: exit codes, the files
 * written, record counts and scores. A session missing from the README fails here, so the README cannot lose one
 * silently.
 */
class ReadmeSessionsITCase {
    private static final Duration PER_COMMAND = Duration.ofMinutes(5);
    private static Map<String, ReadmeSessions.Session> sessions;

    @TempDir
    Path root;

    @BeforeAll
    static void readReadme() {
        sessions = ReadmeSessions.parse(SessionRunner.readme());
    }

    private static ReadmeSessions.Session session(String name) {
        assertThat(sessions).as("README sessions").containsKey(name);
        return sessions.get(name);
    }

    @Test
    void theReadmeHasEverySessionThisTierRuns() {
        assertThat(sessions.keySet()).containsExactlyInAnyOrder("demo", "matting", "segment-demo", "segment",
                "instances-demo", "instances", "track-demo", "flow-demo", "flow", "rerun", "clean", "cluster",
                "live");
        assertThat(session("demo").commands()).containsExactly("./alphaflow demo");
    }

    @Test
    void demoMattesTheSampleVideoQuietlyAndLeavesNothingBehind() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("demo"), PER_COMMAND).all();
            Path stream = runner.checkout().resolve("alphaflow-demo-output/dance-twirl_854x480_24fps_h264");
            assertThat(out).contains("demo: 90 frames of 1 stream(s) matted", "0 dead letters");
            assertThat(pngs(stream.resolve("alpha"))).isEqualTo(90);
            assertThat(pngs(stream.resolve("composite"))).isEqualTo(90);
            assertThat(stream.resolve("composite.mp4")).isNotEmptyFile();
            assertThat(out).contains("report:            alphaflow-demo-output/report.html");
            assertThat(Files.readString(runner.checkout().resolve("alphaflow-demo-output/report.html")))
                    .contains("<span id=\"total-mattes\">90</span>", "<p id=\"dead-letters\">none</p>");
            assertQuiet(out);
            assertThat(entries(runner.tmp())).as("left in the temp folder").isZero();
            try (Stream<Path> cwd = Files.list(runner.checkout())) {
                assertThat(cwd.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("alphaflow", "alphaflow-demo-output");
            }
        }
    }

    @Test
    void aClusterOfProcessesRunsTheMattingJobAndStopsCleanly() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("cluster"), PER_COMMAND).all();
            Path alpha = runner.checkout().resolve("mattes/dance-twirl_854x480_24fps_h264/alpha");
            assertThat(pngs(alpha)).as(out).isEqualTo(24);
            assertThat(out).contains("taskmanager-2    running", "2 TaskManager(s)", "savepoint-",
                    "stopped taskmanager-1, taskmanager-2, jobmanager, kafka");
            Path cluster = runner.checkout().resolve("alphaflow-state/cluster");
            assertThat(dev.alphaflow.jobs.cluster.LocalCluster.in(cluster).status().anyRunning()).isFalse();
            try (Stream<Path> savepoints = Files.list(cluster.resolve("savepoints"))) {
                assertThat(savepoints.count()).isEqualTo(1);
            }
            assertThat(cluster.resolve("jobmanager/jobmanager.log")).content().doesNotContain(" ERROR ");
            assertThat(entries(runner.tmp())).as("left in the temp folder").isZero();
        }
    }

    @Test
    void mattingInThreeTerminals() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("matting"), PER_COMMAND).all();
            Path alpha = runner.checkout().resolve("mattes/dance-twirl_854x480_24fps_h264/alpha");
            assertThat(pngs(alpha)).as(out).isEqualTo(24);
        }
    }

    @Test
    void liveCamerasIngestTheLoopedSampleMatteItAndShowItInTheView() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            runner.run(session("live"), PER_COMMAND, outputs -> {
                assertThat(String.join("\n", outputs)).contains("alphaflow ingest: 1 source(s) [lobby]");
                // What a user sees, in a real browser: the lobby stream matted by the running job, advancing.
                try (HeadlessChromium browser = HeadlessChromium.start(runner.tmp())) {
                    browser.open("http://127.0.0.1:" + runner.viewPort() + "/");
                    browser.waitUntil(b -> !b.findElements(By.cssSelector(".stream[data-stream='lobby']")).isEmpty());
                    WebElement lobby = browser.driver().findElement(By.cssSelector(".stream[data-stream='lobby']"));
                    assertThat(lobby.findElement(By.className("state")).getText()).isEqualTo("live");
                    browser.waitUntil(b -> Long.parseLong(lobby.findElement(By.className("frames")).getText()) > 0);
                    long first = Long.parseLong(lobby.findElement(By.className("frames")).getText());
                    browser.waitUntil(b -> Long.parseLong(lobby.findElement(By.className("frames")).getText()) >= first + 5);

                    // The composite is the sample's dancer over the green background: both are on it, so the page
                    // shows the job's matte, not a placeholder or a plain frame.
                    WebElement img = lobby.findElement(By.className("composite"));
                    browser.waitUntil(b -> browser.naturalWidth(img) > 0);
                    assertThat(browser.naturalWidth(img)).isEqualTo(480);
                    double green = browser.fractionNear(img, 0x00, 0xb1, 0x40, 40);
                    assertThat(green).as("share of background-green pixels").isBetween(0.3, 0.97);
                    // The README's picture of the view, when asked for (-Dalphaflow.view.screenshot=docs/view.png).
                    String shot = System.getProperty("alphaflow.view.screenshot");
                    if (shot != null && !shot.isBlank()) {
                        Files.write(Path.of(shot), browser.screenshot());
                    }

                    // Ctrl-C on the camera: ingest ends the stream with END, the job mattes what is left, the page
                    // shows the stream as ended.
                    runner.stopRunning(2);
                    browser.waitUntil(b -> "ended".equals(lobby.findElement(By.className("state")).getText()));
                }
            });
        }
    }

    @Test
    void segmentDemoScoresTheDefaultSequence() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("segment-demo"), PER_COMMAND).all();
            assertThat(jf(out, "J&F ")).as(out).isGreaterThan(0.85);
            Path masks = runner.checkout().resolve("alphaflow-demo-output/segment/blackswan");
            assertThat(pngs(masks)).isEqualTo(50);
            // The report shows the J&F the demo printed (four decimals, as davis-eval).
            Matcher printed = Pattern.compile("J&F (\\d\\.\\d{4})").matcher(out);
            assertThat(printed.find()).as(out).isTrue();
            assertThat(Files.readString(runner.checkout().resolve("alphaflow-demo-output/report.html")))
                    .contains("<td class=\"jf\">" + printed.group(1) + "</td>");
            assertQuiet(out);
        }
    }

    @Test
    void segmentStepByStepWithAFirstFramePrompt() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("segment"), PER_COMMAND).all();
            assertThat(pngs(runner.checkout().resolve("masks/blackswan"))).as(out).isEqualTo(50);
            assertThat(jf(out, "mean J&F over 1 sequence(s): ")).as(out).isGreaterThan(0.85);
        }
    }

    @Test
    void instancesDemoWritesCocoResults() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("instances-demo"), PER_COMMAND).all();
            Path dir = runner.checkout().resolve("alphaflow-demo-output/instances/dance-twirl_854x480_24fps_h264");
            assertThat(Files.readString(dir.resolve("results.json"))).as(out).contains("\"category_id\"", "\"counts\"");
            assertThat(Files.readString(runner.checkout().resolve("alphaflow-demo-output/report.html")))
                    .contains("data-stream=\"dance-twirl_854x480_24fps_h264\"", "<img class=\"sample\"");
            assertQuiet(out);
        }
    }

    @Test
    void instancesWithABroker() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("instances"), PER_COMMAND).all();
            Path dir = runner.checkout().resolve("instances/dance-twirl_854x480_24fps_h264");
            // --classes person: every result is COCO class 0
            String results = Files.readString(dir.resolve("results.json"));
            assertThat(Pattern.compile("\"category_id\"\\s*:\\s*0\\b").matcher(results).find()).as(out).isTrue();
            assertThat(Pattern.compile("\"category_id\"\\s*:\\s*[1-9]").matcher(results).find()).as(results).isFalse();
        }
    }

    @Test
    void trackDemoStartsATrackWithoutPrompts() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("track-demo"), PER_COMMAND).all();
            Path masks = runner.checkout().resolve("alphaflow-demo-output/track/dance-twirl_854x480_24fps_h264");
            assertThat(pngs(masks)).as(out).isEqualTo(24);
            assertQuiet(out);
        }
    }

    @Test
    void flowDemoWritesKittiPngsQuietly() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("flow-demo"), PER_COMMAND).all();
            assertThat(out).contains("demo: 11 flow fields of 1 stream(s)", "0 dead letters");
            assertThat(pngs(runner.checkout().resolve("alphaflow-demo-output/flow/blackswan"))).as(out).isEqualTo(22);
            assertQuiet(out);
            assertThat(entries(runner.tmp())).as("left in the temp folder").isZero();
        }
    }

    @Test
    void flowOfADavisSequenceAsKittiPngsAndColourPictures() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("flow"), PER_COMMAND).all();
            assertThat(out).contains("flow: 12 records to alphaflow.flow", "0 dead letters",
                    "wrote 11 flow fields");
            Path dir = runner.checkout().resolve("flow/blackswan");
            assertThat(pngs(dir)).as(out).isEqualTo(22); // 11 KITTI PNGs and their colour pictures
            for (int seq = 1; seq <= 11; seq++) {
                dev.alphaflow.model.flow.FlowField flow = dev.alphaflow.model.flow.KittiFlowPng.decode(
                        Files.readAllBytes(dir.resolve(String.format("%06d.png", seq))));
                assertThat(flow.width()).isEqualTo(854);
                assertThat(flow.height()).isEqualTo(480);
                // the swan glides and the camera pans: the flow is not zero, and it stays within a frame's reach
                double sum = 0;
                float[] d = flow.data();
                for (float v : d) {
                    assertThat(v).isFinite().isBetween(-100f, 100f);
                    sum += Math.abs(v);
                }
                assertThat(sum / d.length).as("mean |flow| of frame %d", seq).isGreaterThan(0.1);
            }
            assertThat(dir.resolve("000001_color.png")).isNotEmptyFile();
        }
    }

    @Test
    void aSecondBoundedRunSaysThereIsNothingToDoAndCleanRemovesTheState() throws Exception {
        try (SessionRunner runner = new SessionRunner(root)) {
            String out = runner.run(session("rerun"), PER_COMMAND).all();
            assertThat(out).contains("nothing to do", "--from-beginning");
            assertThat(Pattern.compile("matting: 12 records to alphaflow.mattes").matcher(out).results().count())
                    .as(out).isEqualTo(2);
            assertThat(runner.checkout().resolve("alphaflow-state")).isDirectory();
            runner.run(session("clean"), PER_COMMAND);
            assertThat(runner.checkout().resolve("alphaflow-state")).doesNotExist();
        }
    }

    private static void assertQuiet(String out) {
        assertThat(out).as("a successful run prints no WARN").doesNotContain(" WARN ");
        assertThat(out).as("nor a stack trace").doesNotContain("\tat ");
        assertThat(out).as("nor terminal escape codes (no terminal here)").doesNotContain("\u001b[");
    }

    private static double jf(String out, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "([0-9.]+)").matcher(out);
        assertThat(m.find()).as("'" + label + "' in\n" + out).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static long pngs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".png")).count();
        }
    }

    private static long entries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
