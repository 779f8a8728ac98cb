package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * {@code alphaflow view} from the shipped jar, looked at in real headless Chromium (Debian's chromium and
 * chromedriver, driven by Selenium): the page lists the streams, the frame counter advances while outputs arrive,
 * the latest composite loads and its pixels show the matte, and a stream that ends is shown as ended.
 *
 * <p>The outputs come from a producer in the test that writes frames and their mattes (a disc) as the matting job
 * would; the page is also saved as a screenshot, to {@code -Dalphaflow.view.screenshot=PATH} when given (the README's
 * picture: {@code docs/view.png}), else into the test's folder.
 */
class ViewBrowserITCase {
    private static final int W = 160;
    private static final int H = 120;
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void pageShowsLiveStreamsCompositesAndEnds() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromedriver (apt-get install chromium-driver)").isExecutable();
        String frames = "frames-" + UUID.randomUUID();
        String mattes = "mattes-" + UUID.randomUUID();
        String dlq = "dlq-" + UUID.randomUUID();
        kafka.createTopics(2, frames, mattes, dlq);
        int port = freePort();
        Path work = Files.createDirectories(tmp.resolve("view"));
        AtomicBoolean stop = new AtomicBoolean();
        try (JarProcess view = JarProcess.builder().workDir(work).tmpDir(Files.createDirectories(work.resolve("jvm-tmp")))
                .log(work.resolve("view.log"))
                .args("view", "--bootstrap-servers", kafka.bootstrapServers(), "--frames-topic", frames,
                        "--mattes-topic", mattes, "--dlq-topic", dlq, "--port", Integer.toString(port))
                .start()) {
            String ready = view.awaitLine(l -> l.startsWith("alphaflow view: ") && l.endsWith("(Ctrl-C to stop)"), Duration.ofMinutes(1));
            assertThat(ready).contains("http://127.0.0.1:" + port + "/");

            // "lobby" ends after 20 frames; "door" keeps going until the test is done.
            Thread producerThread = new Thread(() -> produce(frames, mattes, stop), "outputs");
            producerThread.start();
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--user-data-dir=" + Files.createDirectories(work.resolve("chromium")), "--window-size=1100,700");
            ChromeDriver browser = new ChromeDriver(service, options);
            try {
                browser.get("http://127.0.0.1:" + port + "/");
                Wait wait = new Wait(browser);
                wait.until(b -> b.findElements(By.cssSelector(".stream")).size() == 2);
                assertThat(browser.findElements(By.cssSelector(".stream .name")).stream().map(WebElement::getText))
                        .containsExactly("door", "lobby");

                WebElement door = browser.findElement(By.cssSelector(".stream[data-stream='door']"));
                long first = Long.parseLong(door.findElement(By.className("frames")).getText());
                wait.until(b -> Long.parseLong(door.findElement(By.className("frames")).getText()) >= first + 5);

                // The composite: an <img> that loaded a real JPEG; the disc's centre is the frame's colour,
                // the corner the green background.
                WebElement img = door.findElement(By.className("composite"));
                wait.until(b -> Boolean.TRUE.equals(((JavascriptExecutor) b).executeScript(
                        "return arguments[0].complete && arguments[0].naturalWidth > 0", img)));
                @SuppressWarnings("unchecked")
                List<Long> px = (List<Long>) browser.executeScript(
                        "const i = arguments[0], c = document.createElement('canvas');"
                                + "c.width = i.naturalWidth; c.height = i.naturalHeight;"
                                + "const g = c.getContext('2d'); g.drawImage(i, 0, 0);"
                                + "const a = g.getImageData(i.naturalWidth / 2, i.naturalHeight / 2, 1, 1).data;"
                                + "const b = g.getImageData(3, 3, 1, 1).data;"
                                + "return [i.naturalWidth, a[0], a[1], a[2], b[0], b[1], b[2]];", img);
                assertThat(px.get(0)).isEqualTo(W);
                assertNear(px.subList(1, 4), 0xe0, 0xa0, 0x30); // the frame, where the matte is 1
                assertNear(px.subList(4, 7), 0x00, 0xb1, 0x40); // the background, where it is 0

                WebElement lobby = browser.findElement(By.cssSelector(".stream[data-stream='lobby']"));
                wait.until(b -> "ended".equals(lobby.findElement(By.className("state")).getText()));
                assertThat(lobby.findElement(By.className("frames")).getText()).isEqualTo("20");
                assertThat(door.findElement(By.className("state")).getText()).isEqualTo("live");
                assertThat(door.findElement(By.className("resets")).getText()).isEqualTo("1");
                assertThat(door.findElements(By.cssSelector(".fpsChart svg polyline"))).hasSize(1);

                byte[] png = browser.getScreenshotAs(OutputType.BYTES);
                String target = System.getProperty("alphaflow.view.screenshot");
                Path shot = target != null && !target.isBlank() ? Path.of(target) : work.resolve("view.png");
                Files.write(shot, png);
                assertThat(ImageCodec.decode(png).width()).isGreaterThan(500);
            } finally {
                stop.set(true);
                browser.quit(); // ends chromium
                service.stop(); // ends chromedriver
                producerThread.join(10_000);
            }
            assertThat(view.isAlive()).as("view still serving; log:%n%s", view.output()).isTrue();
        }
    }

    /** Frames and their mattes as the matting job writes them, about 20 per second per stream. */
    private static void produce(String framesTopic, String mattesTopic, AtomicBoolean stop) {
        AvroCodec<Frame> frameCodec = AvroCodec.of(Frame.class);
        AvroCodec<Matte> matteCodec = AvroCodec.of(Matte.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        byte[] framePng = ImageCodec.encodeRgbPng(frameImage());
        byte[] alphaPng = discAlpha();
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (long seq = 0; !stop.get(); seq++) {
                for (String stream : new String[] {"door", "lobby"}) {
                    if (stream.equals("lobby") && seq > 20) {
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    boolean end = stream.equals("lobby") && seq == 20;
                    Frame f = Frame.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(now)
                            .setCodec(Codec.PNG).setWidth(W).setHeight(H)
                            .setPayload(ByteBuffer.wrap(end ? new byte[0] : framePng))
                            .setControl(end ? Control.END : Control.NONE).build();
                    producer.send(new ProducerRecord<>(framesTopic, stream, frameCodec.encode(f)));
                    if (!end) {
                        Matte m = Matte.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(now).setWidth(W)
                                .setHeight(H).setAlphaPng(ByteBuffer.wrap(alphaPng)).setModelId("disc")
                                .setStateReset(seq == 0).setResetReason(seq == 0 ? "FIRST_FRAME" : null).build();
                        producer.send(new ProducerRecord<>(mattesTopic, stream, matteCodec.encode(m)));
                    }
                }
                producer.flush();
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RgbImage frameImage() {
        byte[] px = new byte[W * H * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 0xe0;
            px[i + 1] = (byte) 0xa0;
            px[i + 2] = 0x30;
        }
        return new RgbImage(W, H, px);
    }

    private static byte[] discAlpha() {
        byte[] a = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double dx = x - W / 2.0;
                double dy = y - H / 2.0;
                a[y * W + x] = dx * dx + dy * dy < 40 * 40 ? (byte) 255 : 0;
            }
        }
        return ImageCodec.encodeGray8Png(a, W, H);
    }

    private static void assertNear(List<Long> rgb, int r, int g, int b) {
        assertThat(Math.abs(rgb.get(0) - r) + Math.abs(rgb.get(1) - g) + Math.abs(rgb.get(2) - b))
                .as("pixel %s vs %d,%d,%d", rgb, r, g, b).isLessThan(30);
    }

    /** Polls a condition on the page for up to a minute (Selenium's FluentWait lives in another artifact). */
    private record Wait(ChromeDriver browser) {
        void until(java.util.function.Predicate<ChromeDriver> condition) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            RuntimeException last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (condition.test(browser)) {
                        return;
                    }
                } catch (RuntimeException e) {
                    last = e; // e.g. an element re-rendered between finding and reading it
                }
                Thread.sleep(200);
            }
            throw new AssertionError("not within 60 s; page text:\n" + browser.findElement(By.tagName("body")).getText(), last);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
