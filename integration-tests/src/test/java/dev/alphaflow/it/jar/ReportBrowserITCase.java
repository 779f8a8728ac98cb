package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * {@code alphaflow export --report} from the shipped jar, and the report it writes opened in real headless Chromium
 * (Debian's chromium and chromedriver, through Selenium): the page renders, its sample composites load (inlined, no
 * network), their pixels show the matte, and every figure on it equals the one the command printed, which in turn
 * equals what the test wrote into the topics (processing times, resets, dead letters).
 */
class ReportBrowserITCase {
    private static final int W = 96;
    private static final int H = 64;
    private static final int FRAMES = 12;

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
    void reportRendersWithItsImagesAndThePrintedFigures() throws Exception {
        String frames = "frames-" + UUID.randomUUID();
        String mattes = "mattes-" + UUID.randomUUID();
        String dlq = "dlq-" + UUID.randomUUID();
        kafka.createTopics(2, frames, mattes, dlq);
        produce(frames, mattes, dlq);

        Path work = Files.createDirectories(tmp.resolve("report"));
        Path out = work.resolve("out");
        Path report = work.resolve("run.html");
        String printed;
        try (JarProcess export = JarProcess.builder().workDir(work).tmpDir(Files.createDirectories(work.resolve("jvm-tmp")))
                .log(work.resolve("export.log"))
                .args("export", "--bootstrap-servers", kafka.bootstrapServers(), "--frames-topic", frames,
                        "--mattes-topic", mattes, "--dlq-topic", dlq, "-o", out.toString(), "--no-video",
                        "--no-progress", "--report", report.toString())
                .start()) {
            assertThat(export.waitFor(Duration.ofMinutes(2))).as("export exit; log:%n%s", export.output()).isZero();
            printed = export.output();
        }
        // What the test wrote: cam-1's frames took 10..21 ms (median 15, p95 21, 12 frames in 186 ms = 64.5 frames/s).
        assertThat(printed).contains("cam-1: 12 mattes, 12 composites, END")
                .contains("processing: 15.0 ms median, 21.0 ms p95, 64.5 frames/s; state resets: 2 {FIRST_FRAME=1, GAP=1}")
                .contains("dead letters: {CORRUPT_PAYLOAD=2}")
                .contains("report: " + report.toAbsolutePath());
        Map<String, String[]> printedFigures = figures(printed);
        assertThat(printedFigures).containsOnlyKeys("cam-1", "cam-2");

        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(html).doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<script");

        try (HeadlessChromium chromium = HeadlessChromium.start(work)) {
            ChromeDriver browser = chromium.driver();
            chromium.open(report);
            assertThat(browser.getTitle()).startsWith("alphaflow export report");
            List<WebElement> sections = browser.findElements(By.cssSelector("section.stream"));
            assertThat(sections).extracting(s -> s.getAttribute("data-stream")).containsExactly("cam-1", "cam-2");

            // Every sample is an inlined image that decoded: 4 spread over each stream's 12 composites.
            List<WebElement> images = browser.findElements(By.cssSelector("img.sample"));
            assertThat(images).hasSize(8);
            for (WebElement img : images) {
                assertThat(img.getAttribute("src")).startsWith("data:image/png;base64,");
                assertThat(chromium.naturalWidth(img)).isEqualTo(W);
            }
            // The first sample's left half is the frame (the matte is 1 there), its right half the green background.
            assertThat(chromium.pixel(images.get(0), 8, 32)).containsExactly(0xe0, 0xa0, 0x30);
            assertThat(chromium.pixel(images.get(0), 88, 32)).containsExactly(0x00, 0xb1, 0x40);

            for (WebElement section : sections) {
                String id = section.getAttribute("data-stream");
                String[] p = printedFigures.get(id);
                assertThat(text(section, ".mattes")).isEqualTo(p[0]);
                assertThat(text(section, ".composites")).isEqualTo(p[1]);
                assertThat(text(section, ".median-ms")).isEqualTo(p[2]);
                assertThat(text(section, ".p95-ms")).isEqualTo(p[3]);
                assertThat(text(section, ".fps")).isEqualTo(p[4]);
                assertThat(text(section, ".resets")).isEqualTo(p[5]);
                assertThat(section.findElements(By.cssSelector("svg.chart polyline"))).hasSize(2);
            }
            WebElement cam1 = sections.get(0);
            assertThat(text(cam1, ".reset-reasons tr[data-reason='GAP'] .count")).isEqualTo("1");
            assertThat(text(browser.findElement(By.id("dead-letters")), "tr[data-reason='CORRUPT_PAYLOAD'] .count"))
                    .isEqualTo("2");
            assertThat(browser.findElement(By.id("total-mattes")).getText()).isEqualTo(String.valueOf(2 * FRAMES));
        }
    }

    private static String text(WebElement in, String css) {
        return in.findElement(By.cssSelector(css)).getText();
    }

    /** Per stream, the printed {mattes, composites, median ms, p95 ms, frames/s, resets}. */
    private static Map<String, String[]> figures(String printed) {
        Pattern p = Pattern.compile("  (\\S+): (\\d+) mattes, (\\d+) composites[^\\n]*\\n    processing: (\\S+) ms median, "
                + "(\\S+) ms p95, (\\S+) frames/s; state resets: (\\d+)");
        Matcher m = p.matcher(printed.replace("\r", ""));
        Map<String, String[]> out = new java.util.TreeMap<>();
        while (m.find()) {
            out.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7)});
        }
        return out;
    }

    /**
     * Two streams of {@value #FRAMES} frames and mattes (the left half foreground) as the matting job writes them,
     * then END; cam-1 resets at seq 0 (FIRST_FRAME) and 6 (GAP) and took 10 + seq ms per frame; two dead letters.
     */
    private static void produce(String framesTopic, String mattesTopic, String dlqTopic) {
        AvroCodec<Frame> frameCodec = AvroCodec.of(Frame.class);
        AvroCodec<Matte> matteCodec = AvroCodec.of(Matte.class);
        byte[] png = ImageCodec.encodeRgbPng(frameImage());
        byte[] alpha = leftHalfAlpha();
        long t0 = System.currentTimeMillis();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (String stream : new String[] {"cam-1", "cam-2"}) {
                for (int seq = 0; seq <= FRAMES; seq++) {
                    boolean end = seq == FRAMES;
                    long eventTime = t0 + seq * 40L;
                    Frame f = Frame.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(eventTime)
                            .setCodec(Codec.PNG).setWidth(W).setHeight(H)
                            .setPayload(ByteBuffer.wrap(end ? new byte[0] : png))
                            .setControl(end ? Control.END : Control.NONE).build();
                    producer.send(new ProducerRecord<>(framesTopic, stream, frameCodec.encode(f)));
                    if (end) {
                        break;
                    }
                    String reason = seq == 0 ? "FIRST_FRAME" : stream.equals("cam-1") && seq == 6 ? "GAP" : null;
                    long totalMicros = (stream.equals("cam-1") ? 10 + seq : 30) * 1000L;
                    Matte m = Matte.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(eventTime)
                            .setWidth(W).setHeight(H).setAlphaPng(ByteBuffer.wrap(alpha)).setModelId("test")
                            .setStateReset(reason != null).setResetReason(reason)
                            .setTimingsMicros(Map.of("matting", totalMicros - 1000, "total", totalMicros)).build();
                    producer.send(new ProducerRecord<>(mattesTopic, stream, matteCodec.encode(m)));
                }
            }
            for (int i = 0; i < 2; i++) {
                DeadLetter dl = DeadLetter.newBuilder().setStage("decode").setReason(DeadLetterReason.CORRUPT_PAYLOAD)
                        .setMessage("not an image").setStreamId("cam-2").setOriginalSize(3)
                        .setOriginal(ByteBuffer.wrap(new byte[3])).setOriginalTruncated(false)
                        .setRejectedAtMs(System.currentTimeMillis()).build();
                producer.send(new ProducerRecord<>(dlqTopic, "cam-2", AvroCodec.of(DeadLetter.class).encode(dl)));
            }
            producer.flush();
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

    private static byte[] leftHalfAlpha() {
        byte[] a = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W / 2; x++) {
                a[y * W + x] = (byte) 255;
            }
        }
        return ImageCodec.encodeGray8Png(a, W, H);
    }
}
