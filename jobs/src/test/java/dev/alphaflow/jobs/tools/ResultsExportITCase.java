package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.MaskRle;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;
import dev.alphaflow.schemas.serde.AvroKafkaSerde;

/**
 * Real DAVIS frames replayed into a real broker, Instances and Segmentation records made from masks we know
 * (the DAVIS annotation and a rectangle) written transactionally, then exported: the COCO JSON's compressed RLE and the
 * Avro records' RLE decode back to those masks, and the overlays show them.
 */
class ResultsExportITCase {
    private static final String SEQ = "blackswan";
    private static final int FRAMES = 3;
    private static final int W = 854;
    private static final int H = 480;
    private static final long T0 = 1_700_000_000_000L;

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
    void instancesBecomeCocoResultsAndOverlays(@TempDir Path tmp) throws Exception {
        String framesTopic = "frames-" + UUID.randomUUID();
        String instancesTopic = "instances-" + UUID.randomUUID();
        kafka.createTopics(2, framesTopic, instancesTopic);
        Map<Long, Frame> frames = replay(framesTopic);

        // seq 0 and 1: the swan (bird, 0.9) and a rectangle (boat, 0.4); seq 2: nothing detected.
        Map<String, BinaryMask> masks = new HashMap<>();
        try (KafkaProducer<String, Instances> producer = transactional(Instances.class)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(instancesTopic, SEQ + "/0",
                    instances(frames.get(0L), List.of(instance(99, "aborted", 0.99f, rectangle(0, 0, 10, 10))))));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            for (long seq = 0; seq < FRAMES; seq++) {
                List<DetectedInstance> list = new ArrayList<>();
                if (seq < 2) {
                    BinaryMask swan = annotation(seq);
                    BinaryMask boat = rectangle(600, 40 + (int) seq * 5, 700, 110);
                    masks.put(seq + "/0", swan);
                    masks.put(seq + "/1", boat);
                    list.add(instance(14, "bird", 0.9f, swan));
                    list.add(instance(8, "boat", 0.4f, boat));
                }
                producer.send(new ProducerRecord<>(instancesTopic, SEQ + "/" + seq, instances(frames.get(seq), list)));
            }
            producer.commitTransaction();

            producer.beginTransaction(); // at-least-once style: seq 1 again, with other content; the first one counts
            producer.send(new ProducerRecord<>(instancesTopic, SEQ + "/1",
                    instances(frames.get(1L), List.of(instance(77, "again", 0.5f, rectangle(0, 0, 5, 5))))));
            producer.commitTransaction();
        }
        // The Avro records themselves: their RLE is the masks.
        List<ConsumerRecord<String, Instances>> records = readAll(instancesTopic, Instances.class, FRAMES + 1);
        for (ConsumerRecord<String, Instances> r : records) {
            Instances in = r.value();
            if (in.getInstances().isEmpty() || in.getInstances().get(0).getClassId() == 77) {
                continue;
            }
            for (int i = 0; i < in.getInstances().size(); i++) {
                assertThat(InstancesExport.toRle(in.getInstances().get(i).getMask()).decode())
                        .isEqualTo(masks.get(in.getSeq() + "/" + i));
            }
        }

        Path out = tmp.resolve("out");
        InstancesExport.Summary summary = InstancesExport.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .instancesTopic(instancesTopic)
                .framesTopic(framesTopic)
                .outputDir(out)
                .idleTimeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertThat(summary.complete()).isTrue();
        assertThat(summary.duplicates()).isEqualTo(1);
        InstancesExport.StreamExport s = summary.stream(SEQ);
        assertThat(s.frames()).isEqualTo(FRAMES);
        assertThat(s.instances()).isEqualTo(4);
        assertThat(s.overlays()).isEqualTo(FRAMES);
        assertThat(s.videoFrames()).isEqualTo(FRAMES);

        ObjectMapper json = new ObjectMapper();
        Path dir = out.resolve(SEQ);
        JsonNode results = json.readTree(dir.resolve("results.json").toFile());
        assertThat(results.isArray()).isTrue();
        assertThat(results).hasSize(4);
        int[] perImage = new int[FRAMES];
        for (JsonNode r : results) {
            long seq = r.get("image_id").asLong();
            int index = perImage[(int) seq]++;
            BinaryMask expected = masks.get(seq + "/" + index);
            assertThat(r.get("category_id").asInt()).isEqualTo(index == 0 ? 14 : 8);
            assertThat(r.get("score").asDouble()).isCloseTo(index == 0 ? 0.9 : 0.4, within(1e-6));
            JsonNode seg = r.get("segmentation");
            assertThat(seg.get("size").toString()).isEqualTo("[" + H + "," + W + "]");
            BinaryMask decoded = Rle.fromCompressedString(H, W, seg.get("counts").asText()).decode();
            assertThat(decoded).as("seq %d instance %d", seq, index).isEqualTo(expected);
            Box box = expected.boundingBox();
            assertThat(r.get("bbox").toString()).isEqualTo("[" + box.x0() + "," + box.y0() + ","
                    + (box.x1() - box.x0()) + "," + (box.y1() - box.y0()) + "]");
        }
        assertThat(perImage).containsExactly(2, 2, 0);
        assertThat(json.readTree(dir.resolve("categories.json").toFile()).toString())
                .isEqualTo("[{\"id\":8,\"name\":\"boat\"},{\"id\":14,\"name\":\"bird\"}]");
        JsonNode images = json.readTree(dir.resolve("images.json").toFile());
        assertThat(images).hasSize(FRAMES);
        assertThat(images.get(2).get("id").asLong()).isEqualTo(2);
        assertThat(images.get(2).get("width").asInt()).isEqualTo(W);
        assertThat(images.get(2).get("file_name").asText()).isEqualTo("overlay/000002.png");

        // Overlay of seq 0: a swan pixel deep inside the box is tinted with instance 0's colour; a far corner is not.
        RgbImage frame = ImageCodec.decode(bytes(frames.get(0L).getPayload()));
        RgbImage overlay = ImageCodec.decode(Files.readAllBytes(dir.resolve("overlay").resolve("000000.png")));
        BinaryMask swan = masks.get("0/0");
        int[] xy = interiorPixel(swan, masks.get("0/1"));
        assertTinted(frame, overlay, xy[0], xy[1], Overlay.instanceColour(0));
        assertThat(overlay.rgbAt(2, H - 3)).isEqualTo(frame.rgbAt(2, H - 3));
        // Seq 2 has no instances: its overlay is the frame.
        RgbImage plain = ImageCodec.decode(Files.readAllBytes(dir.resolve("overlay").resolve("000002.png")));
        RgbImage frame2 = ImageCodec.decode(bytes(frames.get(2L).getPayload()));
        assertThat(plain.rgb()).isEqualTo(frame2.rgb());
        assertThat(countFrames(dir.resolve("overlay.mp4"))).isEqualTo(FRAMES);
    }

    @Test
    void segmentsBecomeDavisMasksAndOverlays(@TempDir Path tmp) throws Exception {
        String framesTopic = "frames-" + UUID.randomUUID();
        String segmentsTopic = "segments-" + UUID.randomUUID();
        kafka.createTopics(2, framesTopic, segmentsTopic);
        Map<Long, Frame> frames = replay(framesTopic);
        Map<Long, BinaryMask> swans = new HashMap<>();
        BinaryMask rect = rectangle(600, 40, 700, 110);
        try (KafkaProducer<String, Segmentation> producer = transactional(Segmentation.class)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (long seq = 0; seq < FRAMES; seq++) {
                BinaryMask swan = annotation(seq);
                swans.put(seq, swan);
                Frame f = frames.get(seq);
                Segmentation s = Segmentation.newBuilder()
                        .setStreamId(SEQ).setSeq(seq).setEventTimeMs(f.getEventTimeMs())
                        .setWidth(W).setHeight(H)
                        .setObjects(List.of(object(1, "swan", swan), object(2, null, rect)))
                        .setModelId("it").setStateReset(seq == 0).setResetReason(null).setTimingsMicros(Map.of())
                        .build();
                producer.send(new ProducerRecord<>(segmentsTopic, SEQ + "/" + seq, s));
            }
            producer.commitTransaction();
        }

        Path out = tmp.resolve("masks");
        SegmentExport.Summary summary = SegmentExport.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .segmentsTopic(segmentsTopic)
                .framesTopic(framesTopic)
                .outputDir(out)
                .idleTimeout(Duration.ofSeconds(20))
                .build()
                .run();

        assertThat(summary.masksPerStream()).containsEntry(SEQ, (long) FRAMES);
        assertThat(summary.overlaysPerStream()).containsEntry(SEQ, (long) FRAMES);
        Path dir = out.resolve(SEQ);
        for (long seq = 0; seq < FRAMES; seq++) {
            DavisMasks.LabelMap labels = DavisMasks.read(dir.resolve(String.format("%05d.png", seq)));
            for (int i = 0; i < W * H; i++) {
                int expected = rect.get(i) ? 2 : swans.get(seq).get(i) ? 1 : 0;
                if (labels.labels()[i] != expected) {
                    throw new AssertionError("seq " + seq + " pixel " + i + ": " + labels.labels()[i] + " != "
                            + expected);
                }
            }
        }
        RgbImage frame = ImageCodec.decode(bytes(frames.get(1L).getPayload()));
        RgbImage overlay = ImageCodec.decode(Files.readAllBytes(dir.resolve("overlay").resolve("000001.png")));
        int[] xy = interiorPixel(swans.get(1L), rect);
        assertTinted(frame, overlay, xy[0], xy[1], 0x800000); // DAVIS colour of object 1
        assertTinted(frame, overlay, 650, 100, 0x008000); // object 2, below its tag
        assertThat(overlay.rgbAt(2, H - 3)).isEqualTo(frame.rgbAt(2, H - 3));
        assertThat(summary.videos().get(SEQ)).isEqualTo(dir.resolve("overlay.mp4"));
        assertThat(countFrames(dir.resolve("overlay.mp4"))).isEqualTo(FRAMES);
    }

    private static Map<Long, Frame> replay(String topic) {
        Replay.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic(topic)
                .input(SharedData.data("davis2016/JPEGImages/480p/" + SEQ))
                .realTime(false)
                .maxFrames(FRAMES)
                .progressBar(false)
                .startTimeMs(T0)
                .build()
                .run();
        Map<Long, Frame> frames = new HashMap<>();
        for (ConsumerRecord<String, Frame> r : readAll(topic, Frame.class, FRAMES + 1)) {
            if (r.value().getControl() != Control.END) {
                frames.put(r.value().getSeq(), r.value());
            }
        }
        assertThat(frames).hasSize(FRAMES);
        return frames;
    }

    private static BinaryMask annotation(long seq) {
        DavisMasks.LabelMap map = DavisMasks.read(
                SharedData.data("davis2016/Annotations/480p/" + SEQ).resolve(String.format("%05d.png", seq)));
        BinaryMask.Builder b = BinaryMask.builder(W, H);
        for (int i = 0; i < W * H; i++) {
            if (map.labels()[i] != 0) {
                b.set(i);
            }
        }
        BinaryMask m = b.build();
        assertThat(m.area()).isGreaterThan(1000);
        return m;
    }

    private static BinaryMask rectangle(int x0, int y0, int x1, int y1) {
        BinaryMask.Builder b = BinaryMask.builder(W, H);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                b.set(x, y);
            }
        }
        return b.build();
    }

    private static MaskRle rle(BinaryMask m) {
        Rle rle = Rle.encode(m);
        return new MaskRle(rle.height(), rle.width(), Arrays.stream(rle.counts()).boxed().collect(Collectors.toList()));
    }

    private static BoundingBox bbox(BinaryMask m) {
        Box b = m.boundingBox();
        return new BoundingBox(b.x0(), b.y0(), b.x1(), b.y1());
    }

    private static DetectedInstance instance(int classId, String label, float score, BinaryMask m) {
        return DetectedInstance.newBuilder().setClassId(classId).setLabel(label).setScore(score).setBbox(bbox(m))
                .setArea(m.area()).setMask(rle(m)).build();
    }

    private static SegmentedObject object(int id, String label, BinaryMask m) {
        return SegmentedObject.newBuilder().setObjectId(id).setLabel(label).setScore(0.8f).setBbox(bbox(m))
                .setArea(m.area()).setMask(rle(m)).build();
    }

    private static Instances instances(Frame f, List<DetectedInstance> list) {
        return Instances.newBuilder().setStreamId(f.getStreamId()).setSeq(f.getSeq())
                .setEventTimeMs(f.getEventTimeMs()).setWidth(W).setHeight(H).setInstances(list).setModelId("it")
                .setTimingsMicros(Map.of()).build();
    }

    /** A pixel of {@code m} well inside its box (away from the outline and the tag) and outside {@code other}. */
    private static int[] interiorPixel(BinaryMask m, BinaryMask other) {
        Box b = m.boundingBox();
        for (int y = (int) b.y1() - 4; y > b.y0() + 40; y--) {
            for (int x = (int) b.x0() + 4; x < b.x1() - 4; x++) {
                if (m.get(x, y) && !other.get(x, y)) {
                    return new int[] {x, y};
                }
            }
        }
        throw new AssertionError("no interior pixel");
    }

    private static void assertTinted(RgbImage frame, RgbImage overlay, int x, int y, int colour) {
        int f = frame.rgbAt(x, y);
        int o = overlay.rgbAt(x, y);
        for (int shift = 16; shift >= 0; shift -= 8) {
            double expected = (1 - Overlay.TINT) * ((f >> shift) & 0xff) + Overlay.TINT * ((colour >> shift) & 0xff);
            assertThat((double) ((o >> shift) & 0xff)).as("pixel %d,%d shift %d", x, y, shift)
                    .isCloseTo(expected, within(1.0));
        }
    }

    private static long countFrames(Path mp4) throws Exception {
        assertThat(mp4).exists();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile())) {
            grabber.start();
            assertThat(grabber.getImageWidth()).isEqualTo(W);
            long n = 0;
            while (grabber.grabImage() != null) {
                n++;
            }
            grabber.stop();
            return n;
        }
    }

    private static <T extends SpecificRecord> KafkaProducer<String, T> transactional(Class<T> type) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-results-" + UUID.randomUUID(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaDefaults.MAX_RECORD_BYTES),
                new StringSerializer(), AvroKafkaSerde.serializer(type));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static <T extends SpecificRecord> List<ConsumerRecord<String, T>> readAll(String topic, Class<T> type,
            int expected) {
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaDefaults.MAX_RECORD_BYTES),
                new StringDeserializer(), AvroKafkaSerde.deserializer(type))) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        assertThat(out).hasSize(expected);
        return out;
    }
}
