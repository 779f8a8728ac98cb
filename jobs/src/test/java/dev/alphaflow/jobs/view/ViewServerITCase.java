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
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.AvroCodec;

/** The view against a real broker: streams appear, frames count, composites show the matte, an END ends a stream. */
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
        try (ViewServer view = new ViewServer(config, frames, mattes, dlq, Background.GREEN,
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
            assertThat(event).contains("{\"id\":\"cam-a\",\"mattes\":3,\"lastSeq\":2,\"compositeSeq\":2");
            assertThat(event).contains("\"resets\":1,\"lastResetReason\":\"FIRST_FRAME\"");
            assertThat(event).containsPattern("\"id\":\"cam-b\",\"mattes\":1,.*\"deadLetters\":1,\"ended\":false");

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
        byte[] px = new byte[W * H * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 0xc8;
            px[i + 1] = 0x20;
            px[i + 2] = 0x20;
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
        p.send(new ProducerRecord<>(topic, "k", value));
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
