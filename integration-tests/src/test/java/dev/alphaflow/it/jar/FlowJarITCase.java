package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.KittiFlowPng;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * The flow task as users run it, every command the shipped jar in a JVM of its own against an {@code alphaflow kafka}
 * broker process: a texture whose true motion is known (3 px right, 2 px up per frame) is replayed as PNG frames,
 * {@code flow --bounded} writes one record per frame, {@code export-flow} writes KITTI PNGs that decode to that motion
 * and their colour pictures; a corrupt frame of another stream lands in the dead-letter topic with its reason; a second
 * bounded run has nothing to do and adds no record.
 */
class FlowJarITCase {
    private static final int W = 128;
    private static final int H = 96;
    private static final int DX = 3;
    private static final int DY = -2;
    private static final int FRAMES = 6;
    private static final Duration COMMAND = Duration.ofMinutes(4);

    @TempDir
    Path tmp;

    private final List<JarProcess> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }

    @Test
    void flowOfAReplayedTextureIsExportedAsKittiPngsOnceWithCorruptFramesInTheDlq() throws Exception {
        Path frames = writeTexture(Files.createDirectories(tmp.resolve("in/texture")));
        int[] ports = freePorts(2);
        String servers = "127.0.0.1:" + ports[0];
        JarProcess broker = start("kafka", "kafka", "--port", "" + ports[0], "--controller-port", "" + ports[1],
                "--data-dir", tmp.resolve("kafka").toString());
        broker.awaitLine(l -> l.startsWith("Kafka ready at "), Duration.ofMinutes(2));

        run("replay", "replay", "--fast", "--codec", "png", "--bootstrap-servers", servers, frames.toString());
        sendCorruptFrame(servers);

        String flow = run("flow", "flow", "--bounded", "--bootstrap-servers", servers);
        assertThat(flow).contains("flow: " + FRAMES + " records to " + KafkaDefaults.FLOW_TOPIC, "1 dead letters");

        Path out = tmp.resolve("flow-out");
        String export = run("export", "export-flow", "-o", out.toString(), "--bootstrap-servers", servers);
        assertThat(export).contains("wrote " + (FRAMES - 1) + " flow fields", "1 frame(s) without a flow");
        Path stream = out.resolve("texture");
        try (Stream<Path> files = Files.list(stream)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly(
                    "000001.png", "000001_color.png", "000002.png", "000002_color.png", "000003.png",
                    "000003_color.png", "000004.png", "000004_color.png", "000005.png", "000005_color.png");
        }
        for (int seq = 1; seq < FRAMES; seq++) {
            FlowField field = KittiFlowPng.decode(Files.readAllBytes(stream.resolve(String.format("%06d.png", seq))));
            assertThat(field.width()).isEqualTo(W);
            assertThat(field.height()).isEqualTo(H);
            double[] mean = interiorMean(field, 8);
            assertThat(mean[0]).as("dx of frame %d", seq).isCloseTo(DX, within(0.3));
            assertThat(mean[1]).as("dy of frame %d", seq).isCloseTo(DY, within(0.3));
            RgbImage color = ImageCodec.decode(Files.readAllBytes(stream.resolve(String.format("%06d_color.png", seq))));
            assertThat(color.width()).isEqualTo(W);
            // a uniform motion is one hue: the interior pixel is the colour-wheel colour, not white (zero motion)
            assertThat(color.rgbAt(W / 2, H / 2)).isNotEqualTo(0xFFFFFF);
        }

        List<DeadLetter> dead = readAll(servers, KafkaDefaults.DLQ_TOPIC, DeadLetter.class);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.getStreamId()).isEqualTo("broken");
            assertThat(d.getStage()).isEqualTo("decode");
            assertThat(d.getReason().name()).isIn("CORRUPT_PAYLOAD", "TRUNCATED_PAYLOAD");
            assertThat(d.getMessage()).isNotBlank();
        });

        String again = run("flow-again", "flow", "--bounded", "--bootstrap-servers", servers);
        assertThat(again).contains("nothing to do");
        List<OpticalFlow> records = readAll(servers, KafkaDefaults.FLOW_TOPIC, OpticalFlow.class);
        assertThat(records).extracting(OpticalFlow::getSeq).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(records).filteredOn(r -> r.getSeq() == 0).singleElement()
                .satisfies(r -> assertThat(r.getFlowPng()).isNull());

        assertThat(broker.terminate(Duration.ofSeconds(60))).isZero();
        for (String name : List.of("replay", "flow", "export", "flow-again", "kafka")) {
            try (Stream<Path> left = Files.list(tmp.resolve("tmp-" + name))) {
                assertThat(left).as("left in the temp folder of " + name).isEmpty();
            }
        }
    }

    private JarProcess start(String name, String... args) throws IOException {
        JarProcess p = JarProcess.builder().workDir(tmp).tmpDir(tmp.resolve("tmp-" + name))
                .log(tmp.resolve(name + ".log")).args(args).start();
        processes.add(p);
        return p;
    }

    /** Runs a command to its end; returns its output after checking it exited 0 and printed no WARN. */
    private String run(String name, String... args) throws Exception {
        JarProcess p = start(name, args);
        int code = p.waitFor(COMMAND);
        String out = p.output();
        assertThat(code).as("%s exit code; output:%n%s", name, out).isZero();
        assertThat(out).as(name).doesNotContain("\tat ");
        return out;
    }

    /**
     * Frames of a smooth random texture moving by (DX, DY) per frame: frame t at (x, y) is the texture at
     * (x - t*DX, y - t*DY), so the flow from frame t-1 to frame t is (DX, DY) everywhere but at the entering border.
     */
    private static Path writeTexture(Path dir) throws IOException {
        int margin = 32;
        int tw = W + 2 * margin;
        int th = H + 2 * margin;
        int cell = 6;
        int lw = tw / cell + 2;
        float[] lattice = new float[lw * (th / cell + 2)];
        Random random = new Random(17);
        for (int i = 0; i < lattice.length; i++) {
            lattice[i] = 20 + 215 * random.nextFloat();
        }
        for (int t = 0; t < FRAMES; t++) {
            byte[] rgb = new byte[W * H * 3];
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    float fx = (float) (x + margin - t * DX) / cell;
                    float fy = (float) (y + margin - t * DY) / cell;
                    int x0 = (int) fx;
                    int y0 = (int) fy;
                    float wx = fx - x0;
                    float wy = fy - y0;
                    float top = lattice[y0 * lw + x0] * (1 - wx) + lattice[y0 * lw + x0 + 1] * wx;
                    float bottom = lattice[(y0 + 1) * lw + x0] * (1 - wx) + lattice[(y0 + 1) * lw + x0 + 1] * wx;
                    int v = Math.round(top * (1 - wy) + bottom * wy);
                    int i = (y * W + x) * 3;
                    rgb[i] = (byte) v;
                    rgb[i + 1] = (byte) (255 - v);
                    rgb[i + 2] = (byte) (v / 2);
                }
            }
            Files.write(dir.resolve(String.format("%05d.png", t)), ImageCodec.encodeRgbPng(new RgbImage(W, H, rgb)));
        }
        return dir;
    }

    /** A Frame whose PNG payload is cut after its header, as a producer that lost bytes would send it. */
    private static void sendCorruptFrame(String servers) throws Exception {
        byte[] png = ImageCodec.encodeRgbPng(new RgbImage(W, H, new byte[W * H * 3]));
        Frame frame = Frame.newBuilder()
                .setStreamId("broken").setSeq(0).setEventTimeMs(System.currentTimeMillis())
                .setCodec(Codec.PNG).setWidth(W).setHeight(H)
                .setPayload(ByteBuffer.wrap(Arrays.copyOf(png, 60)))
                .setControl(Control.NONE).setPrompts(List.of()).setMetadata(null)
                .build();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(KafkaDefaults.FRAMES_TOPIC, "broken".getBytes(),
                    AvroCodec.of(Frame.class).encode(frame))).get();
        }
    }

    /** Every committed record of a topic, read to the end offsets found at start. */
    private static <T extends SpecificRecord> List<T> readAll(String servers, String topic, Class<T> type) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "flow-itcase-" + UUID.randomUUID());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("reading %s to its end", topic).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(codec.decode(r.value()));
                }
            }
        }
        return out;
    }

    private static double[] interiorMean(FlowField flow, int margin) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int y = margin; y < flow.height() - margin; y++) {
            for (int x = margin; x < flow.width() - margin; x++) {
                sx += flow.dx(x, y);
                sy += flow.dy(x, y);
                n++;
            }
        }
        return new double[] {sx / n, sy / n};
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(s);
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
