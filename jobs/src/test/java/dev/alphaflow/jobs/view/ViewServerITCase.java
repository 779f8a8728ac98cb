package dev.alphaflow.jobs.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.TopicReader;
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
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * The view against a real broker: streams appear, frames count, composites show the matte (or the segments' and
 * instances' overlay colours), an END ends a stream.
 */
class ViewServerITCase {
    private static final int W = 64;
    private static final int H = 48;
    private static EmbeddedKafka kafka;

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
    void showsStreamsCompositesResetsDeadLettersAndEnds() throws Exception {
        String frames = "frames-" + UUID.randomUUID();
        String mattes = "mattes-" + UUID.randomUUID();
        String dlq = "dlq-" + UUID.randomUUID();
        kafka.createTopics(2, frames, mattes, dlq);
        Properties config = ViewServer.consumerConfig(
                TopicReader.consumerConfig(kafka.bootstrapServers(), "view-test", Map.of()));
        try (ViewServer view = new ViewServer(config,
                new ViewServer.Topics(frames, mattes, "segments-" + UUID.randomUUID(), "instances-" + UUID.randomUUID(), dlq),
                Background.GREEN,
                     new InetSocketAddress("127.0.0.1", 0), "s3cret");
             KafkaProducer<String, byte[]> producer = producer()) {
            HttpClient http = HttpClient.newHttpClient();
            String base = view.url().replace("/?token=s3cret", "");

            // Without the token nothing is served.
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(view.url())).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("EventSource('/events'");

            // Stream "cam-a": 3 frames, mattes with the left half foreground, then END. "cam-b": 1 frame, still live.
            for (int seq = 0; seq < 3; seq++) {
                send(producer, frames, frame("cam-a", seq, Control.NONE));
                send(producer, mattes, matte("cam-a", seq, seq == 0));
            }
            send(producer, frames, frame("cam-a", 3, Control.END));
            send(producer, frames, frame("cam-b", 0, Control.NONE));
            send(producer, mattes, matte("cam-b", 0, true));
            DeadLetter dl = DeadLetter.newBuilder().setStage("decode").setReason(DeadLetterReason.CORRUPT_PAYLOAD)
                    .setMessage("not an image").setStreamId("cam-b").setOriginalSize(3)
                    .setOriginal(ByteBuffer.wrap(new byte[3])).setOriginalTruncated(false)
                    .setRejectedAtMs(System.currentTimeMillis()).build();
            send(producer, dlq, AvroCodec.of(DeadLetter.class).encode(dl));
            producer.flush();

            String event = awaitEvent(http, view.url().replace("/?", "/events?"),
                    e -> e.contains("\"ended\":true") && e.contains("CORRUPT_PAYLOAD") && e.contains("cam-b"));
            assertThat(event).contains("{\"id\":\"cam-a\",\"kind\":\"mattes\",\"outputs\":3,\"lastSeq\":2,\"compositeSeq\":2");
            assertThat(event).contains("\"resets\":1,\"lastResetReason\":\"FIRST_FRAME\"");
            assertThat(event).containsPattern("\"id\":\"cam-b\",\"kind\":\"mattes\",\"outputs\":1,.*\"deadLetters\":1,\"ended\":false");

            HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/composite?stream=cam-a&token=s3cret")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(img.statusCode()).isEqualTo(200);
            RgbImage composite = ImageCodec.decode(img.body());
            assertThat(composite.width()).isEqualTo(W);
            // Left half: the frame (red); right half: the green background. JPEG, so a tolerance.
            assertNear(pixel(composite, 8, 24), 0xc8, 0x20, 0x20);
            assertNear(pixel(composite, W - 8, 24), 0x00, 0xb1, 0x40);
            assertThat(view.consumerFailure()).isNull();
        }
    }

    @Test
    void showsSegmentsAndInstancesAsColouredOverlays() throws Exception {
        String frames = "frames-" + UUID.randomUUID();
        String segments = "segments-" + UUID.randomUUID();
        String instances = "instances-" + UUID.randomUUID();
        kafka.createTopics(2, frames, segments, instances);
        Properties config = ViewServer.consumerConfig(
                TopicReader.consumerConfig(kafka.bootstrapServers(), "view-test", Map.of()));
        try (ViewServer view = new ViewServer(config, new ViewServer.Topics(frames, "mattes-" + UUID.randomUUID(),
                        segments, instances, "dlq-" + UUID.randomUUID()), Background.GREEN,
                     new InetSocketAddress("127.0.0.1", 0), null);
             KafkaProducer<String, byte[]> producer = producer()) {
            // "cam-s": red frames, object 2 on the right half. "cam-i": black frames, one "dog" on the left half.
            BinaryMask right = halfMask(false);
            BinaryMask left = halfMask(true);
            for (int seq = 0; seq < 2; seq++) {
                send(producer, frames, frame("cam-s", seq, Control.NONE));
                Segmentation seg = Segmentation.newBuilder().setStreamId("cam-s").setSeq(seq)
                        .setEventTimeMs(System.currentTimeMillis()).setWidth(W).setHeight(H)
                        .setObjects(List.of(SegmentedObject.newBuilder().setObjectId(2).setLabel("person")
                                .setScore(0.9f).setBbox(box(W / 2, 0, W, H)).setArea(right.area())
                                .setMask(rle(right)).build()))
                        .setModelId("test").setStateReset(seq == 0).setResetReason(seq == 0 ? "FIRST_FRAME" : null)
                        .build();
                send(producer, segments, AvroCodec.of(Segmentation.class).encode(seg));
                send(producer, frames, frame("cam-i", seq, Control.NONE, 0, 0, 0));
                Instances inst = Instances.newBuilder().setStreamId("cam-i").setSeq(seq)
                        .setEventTimeMs(System.currentTimeMillis()).setWidth(W).setHeight(H)
                        .setInstances(List.of(DetectedInstance.newBuilder().setClassId(16).setLabel("dog").setScore(0.8f)
                                .setBbox(box(0, 0, W / 2, H)).setArea(left.area()).setMask(rle(left)).build()))
                        .setModelId("test").build();
                send(producer, instances, AvroCodec.of(Instances.class).encode(inst));
            }
            producer.flush();

            HttpClient http = HttpClient.newHttpClient();
            String event = awaitEvent(http, view.url() + "events",
                    e -> e.contains("\"id\":\"cam-s\",\"kind\":\"segments\",\"outputs\":2,\"lastSeq\":1,\"compositeSeq\":1")
                            && e.contains("\"id\":\"cam-i\",\"kind\":\"instances\",\"outputs\":2,\"lastSeq\":1,\"compositeSeq\":1"));
            assertThat(event).containsPattern("\"id\":\"cam-s\",[^}]*\"resets\":1,\"lastResetReason\":\"FIRST_FRAME\"");

            // Object 2's DAVIS colour (0x008000) tints the right half at 50 %; the left half is the frame.
            RgbImage seg = composite(http, view.url() + "composite?stream=cam-s&kind=segments");
            assertNear(pixel(seg, 8, 36), 0xc8, 0x20, 0x20);
            assertNear(pixel(seg, W - 8, 36), 0xc8 / 2, (0x20 + 0x80) / 2, 0x20 / 2);
            // The first instance's colour (0xE6194B) tints the left half of the black frame; the right half stays black.
            RgbImage inst = composite(http, view.url() + "composite?stream=cam-i&kind=instances");
            assertNear(pixel(inst, 16, 36), 0xe6 / 2, 0x19 / 2, 0x4b / 2);
            assertNear(pixel(inst, W - 8, 36), 0, 0, 0);
            // The same stream id has no mattes card, and an unknown kind is refused by name.
            assertThat(http.send(HttpRequest.newBuilder(URI.create(view.url() + "composite?stream=cam-s")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(
                    URI.create(view.url() + "composite?stream=cam-s&kind=flow")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("kind must be mattes, segments or instances: flow");
            assertThat(view.consumerFailure()).isNull();
        }
    }

    @Test
    void picksUpAnOutputTopicCreatedAfterItStarted() throws Exception {
        // The job creates its output topic on its first write, often after the view has looked. The frames topic
        // alone has more partitions than the view has topics: the view must still look for the missing ones.
        String frames = "frames-" + UUID.randomUUID();
        String mattes = "mattes-" + UUID.randomUUID();
        kafka.createTopics(6, frames);
        Properties config = ViewServer.consumerConfig(
                TopicReader.consumerConfig(kafka.bootstrapServers(), "view-test", Map.of()));
        try (ViewServer view = new ViewServer(config, new ViewServer.Topics(frames, mattes,
                        "segments-" + UUID.randomUUID(), "instances-" + UUID.randomUUID(), "dlq-" + UUID.randomUUID()),
                Background.GREEN, new InetSocketAddress("127.0.0.1", 0), null);
             KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, frames, frame("cam-late", 0, Control.NONE));
            Thread.sleep(3000); // the view's first look (at start) has found only the frames topic
            kafka.createTopics(2, mattes);
            send(producer, mattes, matte("cam-late", 0, true));
            String event = awaitEvent(HttpClient.newHttpClient(), view.url() + "events",
                    e -> e.contains("\"id\":\"cam-late\",\"kind\":\"mattes\",\"outputs\":1,\"lastSeq\":0,\"compositeSeq\":0"));
            assertThat(event).contains("\"resets\":1");
            assertThat(view.consumerFailure()).isNull();
        }
    }

    private static RgbImage composite(HttpClient http, String url) throws Exception {
        HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(img.statusCode()).as(url).isEqualTo(200);
        RgbImage out = ImageCodec.decode(img.body());
        assertThat(out.width()).isEqualTo(W);
        return out;
    }

    private static BinaryMask halfMask(boolean leftHalf) {
        byte[] values = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                values[y * W + x] = (byte) ((x < W / 2) == leftHalf ? 1 : 0);
            }
        }
        return BinaryMask.fromBytes(W, H, values);
    }

    private static MaskRle rle(BinaryMask mask) {
        Rle r = Rle.encode(mask);
        return MaskRle.newBuilder().setHeight(r.height()).setWidth(r.width())
                .setCounts(Arrays.stream(r.counts()).boxed().toList()).build();
    }

    private static BoundingBox box(int x0, int y0, int x1, int y1) {
        return BoundingBox.newBuilder().setX0(x0).setY0(y0).setX1(x1).setY1(y1).build();
    }

    private static String awaitEvent(HttpClient http, String url, java.util.function.Predicate<String> done)
            throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/event-stream"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (System.nanoTime() < deadline && (line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    last = line.substring(6);
                    if (done.test(last)) {
                        return last;
                    }
                }
            }
        }
        throw new AssertionError("no event matched within 60 s; the last: " + last);
    }

    private static int[] pixel(RgbImage img, int x, int y) {
        int i = (y * img.width() + x) * 3;
        byte[] p = img.rgb();
        return new int[] {p[i] & 0xff, p[i + 1] & 0xff, p[i + 2] & 0xff};
    }

    private static void assertNear(int[] rgb, int r, int g, int b) {
        assertThat(Math.abs(rgb[0] - r) + Math.abs(rgb[1] - g) + Math.abs(rgb[2] - b))
                .as("pixel %d,%d,%d vs %d,%d,%d", rgb[0], rgb[1], rgb[2], r, g, b).isLessThan(30);
    }

    private static Frame frame(String stream, long seq, Control control) {
        return frame(stream, seq, control, 0xc8, 0x20, 0x20);
    }

    private static Frame frame(String stream, long seq, Control control, int r, int g, int b) {
        byte[] px = new byte[W * H * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        byte[] png = control == Control.END ? new byte[0] : ImageCodec.encodeRgbPng(new RgbImage(W, H, px));
        return Frame.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(System.currentTimeMillis())
                .setCodec(Codec.PNG).setWidth(W).setHeight(H).setPayload(ByteBuffer.wrap(png)).setControl(control)
                .build();
    }

    private static Matte matte(String stream, long seq, boolean reset) {
        byte[] alpha = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W / 2; x++) {
                alpha[y * W + x] = (byte) 255;
            }
        }
        return Matte.newBuilder().setStreamId(stream).setSeq(seq).setEventTimeMs(System.currentTimeMillis())
                .setWidth(W).setHeight(H).setAlphaPng(ByteBuffer.wrap(ImageCodec.encodeGray8Png(alpha, W, H)))
                .setModelId("test").setStateReset(reset).setResetReason(reset ? "FIRST_FRAME" : null).build();
    }

    private static void send(KafkaProducer<String, byte[]> p, String topic, Frame f) {
        send(p, topic, AvroCodec.of(Frame.class).encode(f));
    }

    private static void send(KafkaProducer<String, byte[]> p, String topic, Matte m) {
        send(p, topic, AvroCodec.of(Matte.class).encode(m));
    }

    private static void send(KafkaProducer<String, byte[]> p, String topic, byte[] value) {
        // Synchronously, so a record the broker refused fails here rather than as a missing event later.
        try {
            p.send(new ProducerRecord<>(topic, "k", value)).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("sending to " + topic + " failed", e);
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
