package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.MaskRle;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * {@code export-masks --report --truth} and {@code export-instances --report --truth} from the shipped jar, their
 * reports opened in real headless Chromium: the pages render, the overlays load and show the objects, every figure
 * equals the one the command printed, and the J, F and J&amp;F equal what {@code davis-eval} (also from the jar)
 * computes for the same masks, and the IoU what the test's own geometry gives.
 */
class ResultReportBrowserITCase {
    private static final int W = 80;
    private static final int H = 48;
    private static final int FRAMES = 8;
    /** The frames' colour; overlays tint objects away from it. */
    private static final int[] FRAME_RGB = {0x30, 0x60, 0xc0};

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

    /**
     * "swan": object 1 is columns [10, 40) on every frame; the truth has it at [10 + t, 40 + t) (it drifts right while
     * the prediction stays), so J falls with t. "plain": no truth folder, so it is not scored.
     */
    @Test
    void maskReportShowsThePrintedFiguresAndDavisEvalsScores() throws Exception {
        String frames = "frames-" + UUID.randomUUID();
        String segments = "segments-" + UUID.randomUUID();
        String dlq = "dlq-" + UUID.randomUUID();
        kafka.createTopics(2, frames, segments, dlq);
        Path truth = Files.createDirectories(tmp.resolve("truth/swan"));
        for (int t = 0; t < FRAMES; t++) {
            DavisMasks.write(truth.resolve(String.format("%05d.png", t)), labels(columns(10 + t, 40 + t)), W, H);
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (String stream : List.of("swan", "plain")) {
                for (int seq = 0; seq <= FRAMES; seq++) {
                    send(producer, frames, stream, AvroCodec.of(Frame.class).encode(frame(stream, seq)));
                    if (seq < FRAMES) {
                        BinaryMask mask = columns(10, 40);
                        Segmentation s = Segmentation.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(seq * 40L)
                                .setWidth(W).setHeight(H).setModelId("test").setStateReset(seq == 0)
                                .setResetReason(seq == 0 ? "FIRST_FRAME" : null)
                                .setTimingsMicros(Map.of("total", (20 + 2L * seq) * 1000))
                                .setObjects(List.of(SegmentedObject.newBuilder().setObjectId(1).setLabel("swan")
                                        .setScore(0.9f).setBbox(box(10, 0, 40, H)).setArea(mask.area()).setMask(rle(mask))
                                        .build()))
                                .build();
                        send(producer, segments, stream, AvroCodec.of(Segmentation.class).encode(s));
                    }
                }
            }
            send(producer, dlq, "plain", AvroCodec.of(DeadLetter.class).encode(deadLetter("plain")));
        }

        Path work = Files.createDirectories(tmp.resolve("masks"));
        Path out = work.resolve("out");
        Path report = work.resolve("masks.html");
        String printed = runJar(work, "export-masks", "--bootstrap-servers", kafka.bootstrapServers(),
                "--frames-topic", frames, "--segments-topic", segments, "--dlq-topic", dlq, "-o", out.toString(),
                "--no-video", "--report", report.toString(), "--truth", truth.getParent().toString());
        // swan took 20 + 2 seq ms: median (nearest rank) 26, p95 34, 8 frames in 216 ms = 37.0 frames/s.
        assertThat(printed).contains("swan: 8 masks, 8 overlays")
                .contains("processing: 26.0 ms median, 34.0 ms p95, 37.0 frames/s; state resets: 1 {FIRST_FRAME=1}")
                .contains("dead letters: {CORRUPT_PAYLOAD=1}")
                .contains("report: " + report.toAbsolutePath());
        String[] scores = find(printed, "    J (\\S+)  F (\\S+)  J&F (\\S+)  \\((\\d+) frames against ");
        assertThat(scores[3]).as("frames 1..n-2 scored").isEqualTo(String.valueOf(FRAMES - 2));
        assertThat(printed).as("only swan has a truth folder").containsOnlyOnce("frames against");

        // davis-eval of the same folders, from the jar: its table row is the printed J, F, J&F.
        String eval = runJar(work, "davis-eval", "--predicted", out.toString(), "--truth", truth.getParent().toString());
        String[] row = find(eval, "\\| swan \\| 1 \\| 6 \\| 0 \\| (\\S+) \\| (\\S+) \\| (\\S+) \\|");
        assertThat(Arrays.copyOf(scores, 3)).containsExactly(row);
        // J by the geometry: frame t overlaps 30 - t of 30 + t columns, over t = 1..6.
        double j = 0;
        for (int t = 1; t <= FRAMES - 2; t++) {
            j += (30.0 - t) / (30.0 + t) / (FRAMES - 2);
        }
        assertThat(scores[0]).isEqualTo(String.format(java.util.Locale.ROOT, "%.4f", j));

        try (HeadlessChromium browser = HeadlessChromium.start(work)) {
            browser.open(report);
            assertThat(browser.driver().getTitle()).startsWith("alphaflow export report (masks)");
            List<WebElement> sections = browser.driver().findElements(By.cssSelector("section.stream"));
            assertThat(sections).extracting(s -> s.getAttribute("data-stream")).containsExactly("plain", "swan");
            WebElement swan = sections.get(1);
            assertThat(text(swan, ".masks")).isEqualTo("8");
            assertThat(text(swan, ".overlays")).isEqualTo("8");
            assertThat(text(swan, ".median-ms")).isEqualTo("26.0");
            assertThat(text(swan, ".p95-ms")).isEqualTo("34.0");
            assertThat(text(swan, ".fps")).isEqualTo("37.0");
            assertThat(text(swan, ".resets")).isEqualTo("1");
            assertThat(text(swan, ".reset-reasons tr[data-reason='FIRST_FRAME'] .count")).isEqualTo("1");
            assertThat(List.of(text(swan, "table.truth .j"), text(swan, "table.truth .f"), text(swan, "table.truth .jf")))
                    .containsExactly(Arrays.copyOf(scores, 3));
            assertThat(text(swan, ".truth-frames")).isEqualTo("6");
            assertThat(sections.get(0).findElements(By.cssSelector("table.truth"))).as("plain is not scored").isEmpty();
            assertThat(text(browser.driver().findElement(By.id("dead-letters")), "tr[data-reason='CORRUPT_PAYLOAD'] .count"))
                    .isEqualTo("1");
            assertThat(browser.driver().findElement(By.id("total-masks")).getText()).isEqualTo(String.valueOf(2 * FRAMES));

            // Four overlays per stream, inlined and decoded; inside the object the frame is tinted, outside it is not.
            List<WebElement> images = swan.findElements(By.cssSelector("img.sample"));
            assertThat(images).hasSize(4);
            for (WebElement img : images) {
                assertThat(img.getAttribute("src")).startsWith("data:image/png;base64,");
                assertThat(browser.naturalWidth(img)).isEqualTo(W);
            }
            assertThat(browser.pixel(images.get(0), 60, 24)).containsExactly(FRAME_RGB[0], FRAME_RGB[1], FRAME_RGB[2]);
            assertThat(browser.pixel(images.get(0), 25, 24)).isNotEqualTo(new int[] {FRAME_RGB[0], FRAME_RGB[1], FRAME_RGB[2]});
        }
    }

    /** "street": two instances per frame, columns [0, 20) and [30, 40); the truth's foreground is columns [0, 30). */
    @Test
    void instancesReportShowsThePrintedFiguresAndTheForegroundIou() throws Exception {
        String frames = "frames-" + UUID.randomUUID();
        String instances = "instances-" + UUID.randomUUID();
        String dlq = "dlq-" + UUID.randomUUID();
        kafka.createTopics(2, frames, instances, dlq);
        Path truth = Files.createDirectories(tmp.resolve("itruth/street"));
        for (int t = 0; t < FRAMES; t++) {
            DavisMasks.write(truth.resolve(String.format("%05d.png", t)), labels(columns(0, 30)), W, H);
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int seq = 0; seq <= FRAMES; seq++) {
                send(producer, frames, "street", AvroCodec.of(Frame.class).encode(frame("street", seq)));
                if (seq < FRAMES) {
                    Instances r = Instances.newBuilder().setStreamId("street").setSeq(seq).setEventTimeMs(seq * 40L)
                            .setWidth(W).setHeight(H).setModelId("test").setTimingsMicros(Map.of("total", 50_000L))
                            .setInstances(List.of(instance(0, 20, "person", 0.9f), instance(30, 40, "car", 0.7f)))
                            .build();
                    send(producer, instances, "street", AvroCodec.of(Instances.class).encode(r));
                }
            }
        }
        Path work = Files.createDirectories(tmp.resolve("instances"));
        Path report = work.resolve("instances.html");
        String printed = runJar(work, "export-instances", "--bootstrap-servers", kafka.bootstrapServers(),
                "--frames-topic", frames, "--instances-topic", instances, "--dlq-topic", dlq,
                "-o", work.resolve("out").toString(), "--no-video", "--report", report.toString(),
                "--truth", truth.getParent().toString());
        // The union (columns 0..19 and 30..39) against columns 0..29: 20 / 40.
        assertThat(printed).contains("street: 8 frames, 16 instances, 8 overlays")
                .contains("processing: 50.0 ms median, 50.0 ms p95, 20.0 frames/s; state resets: 0")
                .contains("IoU 0.5000  (8 frames against " + truth)
                .contains("dead letters: none");

        try (HeadlessChromium browser = HeadlessChromium.start(work)) {
            browser.open(report);
            WebElement street = browser.driver().findElement(By.cssSelector("section.stream[data-stream='street']"));
            assertThat(text(street, ".frames")).isEqualTo("8");
            assertThat(text(street, ".instances")).isEqualTo("16");
            assertThat(text(street, ".fps")).isEqualTo("20.0");
            assertThat(text(street, "table.truth .iou")).isEqualTo("0.5000");
            assertThat(text(street, ".truth-frames")).isEqualTo("8");
            assertThat(browser.driver().findElement(By.id("dead-letters")).getText()).isEqualTo("none");
            List<WebElement> images = street.findElements(By.cssSelector("img.sample"));
            assertThat(images).hasSize(4);
            assertThat(browser.naturalWidth(images.get(3))).isEqualTo(W);
            assertThat(browser.pixel(images.get(3), 60, 24)).containsExactly(FRAME_RGB[0], FRAME_RGB[1], FRAME_RGB[2]);
            assertThat(browser.pixel(images.get(3), 10, 30)).isNotEqualTo(new int[] {FRAME_RGB[0], FRAME_RGB[1], FRAME_RGB[2]});
        }
    }

    private static String runJar(Path work, String... args) throws Exception {
        Path jvmTmp = Files.createDirectories(work.resolve("jvm-tmp"));
        try (JarProcess p = JarProcess.builder().workDir(work).tmpDir(jvmTmp).log(work.resolve(args[0] + ".log"))
                .args(args).start()) {
            assertThat(p.waitFor(Duration.ofMinutes(2))).as("%s exit; output:%n%s", args[0], p.output()).isZero();
            return p.output().replace("\r", "");
        }
    }

    private static String[] find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("/%s/ in:%n%s", regex, text).isTrue();
        String[] groups = new String[m.groupCount()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = m.group(i + 1);
        }
        return groups;
    }

    private static String text(WebElement in, String css) {
        return in.findElement(By.cssSelector(css)).getText();
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** A frame of {@link #FRAME_RGB}; seq {@link #FRAMES} is the END frame. */
    private static Frame frame(String stream, int seq) {
        boolean end = seq == FRAMES;
        byte[] px = new byte[W * H * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) FRAME_RGB[i % 3];
        }
        byte[] png = end ? new byte[0] : ImageCodec.encodeRgbPng(new RgbImage(W, H, px));
        return Frame.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(seq * 40L).setCodec(Codec.PNG)
                .setWidth(W).setHeight(H).setPayload(ByteBuffer.wrap(png)).setControl(end ? Control.END : Control.NONE)
                .build();
    }

    private static DeadLetter deadLetter(String stream) {
        return DeadLetter.newBuilder().setStage("decode").setReason(DeadLetterReason.CORRUPT_PAYLOAD)
                .setMessage("not an image").setStreamId(stream).setOriginalSize(3).setOriginal(ByteBuffer.wrap(new byte[3]))
                .setOriginalTruncated(false).setRejectedAtMs(System.currentTimeMillis()).build();
    }

    private static DetectedInstance instance(int x0, int x1, String label, float score) {
        BinaryMask mask = columns(x0, x1);
        return DetectedInstance.newBuilder().setClassId(label.equals("person") ? 0 : 2).setLabel(label).setScore(score)
                .setBbox(box(x0, 0, x1, H)).setArea(mask.area()).setMask(rle(mask)).build();
    }

    private static BinaryMask columns(int x0, int x1) {
        byte[] values = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = Math.max(0, x0); x < Math.min(W, x1); x++) {
                values[y * W + x] = 1;
            }
        }
        return BinaryMask.fromBytes(W, H, values);
    }

    private static int[] labels(BinaryMask mask) {
        int[] labels = new int[W * H];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = mask.get(i) ? 1 : 0;
        }
        return labels;
    }

    private static MaskRle rle(BinaryMask mask) {
        Rle r = Rle.encode(mask);
        return MaskRle.newBuilder().setHeight(r.height()).setWidth(r.width())
                .setCounts(new ArrayList<>(Arrays.stream(r.counts()).boxed().toList())).build();
    }

    private static BoundingBox box(int x0, int y0, int x1, int y1) {
        return BoundingBox.newBuilder().setX0(x0).setY0(y0).setX1(x1).setY1(y1).build();
    }
}
