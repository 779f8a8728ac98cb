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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

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
 * would, so that the exact pixels are known (ReadmeSessionsITCase's live session shows the page fed by the real
 * pipeline, and takes the README's picture of it); a screenshot of the page is taken and decoded.
 */
class ViewBrowserITCase {
    private static final int W = 160;
    private static final int H = 120;

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
            HeadlessChromium chromium = HeadlessChromium.start(work);
            ChromeDriver browser = chromium.driver();
            try {
                browser.get("http://127.0.0.1:" + port + "/");
                chromium.waitUntil(b -> b.findElements(By.cssSelector(".stream")).size() == 2);
                assertThat(browser.findElements(By.cssSelector(".stream .name")).stream().map(WebElement::getText))
                        .containsExactly("door", "lobby");

                WebElement door = browser.findElement(By.cssSelector(".stream[data-stream='door']"));
                long first = Long.parseLong(door.findElement(By.className("frames")).getText());
                chromium.waitUntil(b -> Long.parseLong(door.findElement(By.className("frames")).getText()) >= first + 5);

                // The composite: an <img> that loaded a real JPEG; the disc's centre is the frame's colour,
                // the corner the green background.
                WebElement img = door.findElement(By.className("composite"));
                chromium.waitUntil(b -> chromium.naturalWidth(img) > 0);
                assertThat(chromium.naturalWidth(img)).isEqualTo(W);
                assertNear(chromium.pixel(img, W / 2, H / 2), 0xe0, 0xa0, 0x30); // the frame, where the matte is 1
                assertNear(chromium.pixel(img, 3, 3), 0x00, 0xb1, 0x40); // the background, where it is 0

                WebElement lobby = browser.findElement(By.cssSelector(".stream[data-stream='lobby']"));
                chromium.waitUntil(b -> "ended".equals(lobby.findElement(By.className("state")).getText()));
                assertThat(lobby.findElement(By.className("frames")).getText()).isEqualTo("20");
                assertThat(door.findElement(By.className("state")).getText()).isEqualTo("live");
                assertThat(door.findElement(By.className("resets")).getText()).isEqualTo("1");
                assertThat(door.findElements(By.cssSelector(".fpsChart svg polyline"))).hasSize(1);

                byte[] png = chromium.screenshot();
                assertThat(ImageCodec.decode(png).width()).as("a screenshot of the page").isGreaterThan(500);
            } finally {
                stop.set(true);
                chromium.close();
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

    private static void assertNear(int[] rgb, int r, int g, int b) {
        assertThat(Math.abs(rgb[0] - r) + Math.abs(rgb[1] - g) + Math.abs(rgb[2] - b))
                .as("pixel %s vs %d,%d,%d", java.util.Arrays.toString(rgb), r, g, b).isLessThan(30);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
