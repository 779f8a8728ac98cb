package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.AvroKafkaSerde;

/** Replay a real video and an image folder into a real broker, add mattes, export them to files. */
class ReplayExportITCase {
    private static final String VIDEO_STREAM = "dance-twirl_854x480_24fps_h264";
    private static final String FOLDER_STREAM = "synthetic";
    private static final int VIDEO_FRAMES = 12;
    private static final int FOLDER_FRAMES = 3;
    private static final int FOLDER_W = 64;
    private static final int FOLDER_H = 48;

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
    void replayThenExport(@TempDir Path tmp) throws Exception {
        String framesTopic = "frames-" + UUID.randomUUID();
        String mattesTopic = "mattes-" + UUID.randomUUID();
        kafka.createTopics(3, framesTopic, mattesTopic);
        Path video = SharedData.danceTwirlMp4();
        Path folder = writeImageFolder(tmp.resolve(FOLDER_STREAM));

        // --- replay ---
        ReplaySummary replay = Replay.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic(framesTopic)
                .input(video)
                .input(folder)
                .realTime(false)
                .maxFrames(VIDEO_FRAMES)
                .folderFps(10)
                .progressBar(false)
                .startTimeMs(1_700_000_000_000L)
                .build()
                .run();

        assertThat(replay.stream(VIDEO_STREAM).frames()).isEqualTo(VIDEO_FRAMES);
        assertThat(replay.stream(VIDEO_STREAM).fps()).isCloseTo(24.0, within(0.01));
        assertThat(replay.stream(FOLDER_STREAM).frames()).isEqualTo(FOLDER_FRAMES);
        assertThat(replay.totalPayloadBytes()).isPositive();

        List<ConsumerRecord<String, Frame>> records = readAll(framesTopic, Frame.class, VIDEO_FRAMES + FOLDER_FRAMES + 2);
        Map<String, Set<Long>> seqs = new HashMap<>();
        Map<String, Frame> ends = new HashMap<>();
        Map<String, Map<Long, Frame>> frames = new HashMap<>();
        for (ConsumerRecord<String, Frame> r : records) {
            Frame f = r.value();
            assertThat(r.key()).isEqualTo(f.getStreamId());
            if (f.getControl() == Control.END) {
                assertThat(ends.put(f.getStreamId(), f)).as("one END per stream").isNull();
                assertThat(f.getPayload().remaining()).isZero();
            } else {
                assertThat(seqs.computeIfAbsent(f.getStreamId(), k -> new TreeSet<>()).add(f.getSeq())).isTrue();
                frames.computeIfAbsent(f.getStreamId(), k -> new HashMap<>()).put(f.getSeq(), f);
                assertThat(f.getCodec()).isEqualTo(Codec.JPEG);
                assertThat(r.timestamp()).isEqualTo(f.getEventTimeMs());
            }
        }
        assertThat(seqs.get(VIDEO_STREAM)).containsExactlyElementsOf(range(VIDEO_FRAMES));
        assertThat(seqs.get(FOLDER_STREAM)).containsExactlyElementsOf(range(FOLDER_FRAMES));
        assertThat(ends.get(VIDEO_STREAM).getSeq()).isEqualTo(VIDEO_FRAMES);
        assertThat(ends.get(FOLDER_STREAM).getSeq()).isEqualTo(FOLDER_FRAMES);
        for (Frame f : frames.get(VIDEO_STREAM).values()) {
            assertThat(f.getWidth()).isEqualTo(854);
            assertThat(f.getHeight()).isEqualTo(480);
            // 24 fps: frame i at start + i * 41.67 ms
            assertThat((double) f.getEventTimeMs()).isCloseTo(1_700_000_000_000L + f.getSeq() * 1000.0 / 24, within(1.5));
        }
        RgbImage decoded = ImageCodec.decode(bytes(frames.get(VIDEO_STREAM).get(5L).getPayload()));
        assertThat(decoded.width()).isEqualTo(854);
        assertThat(decoded.height()).isEqualTo(480);
        Frame folderFrame = frames.get(FOLDER_STREAM).get(2L);
        assertThat(folderFrame.getWidth()).isEqualTo(FOLDER_W);
        assertThat(folderFrame.getEventTimeMs()).isEqualTo(1_700_000_000_000L + 200);
        assertThat(folderFrame.getMetadata()).containsEntry("source", FOLDER_STREAM);

        // --- mattes: a horizontal gradient alpha, written transactionally; plus an aborted bogus one first ---
        Map<String, byte[]> alphaPngs = new HashMap<>();
        try (KafkaProducer<String, Matte> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-mattes-" + UUID.randomUUID(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaDefaults.MAX_RECORD_BYTES),
                new StringSerializer(), AvroKafkaSerde.serializer(Matte.class))) {
            producer.initTransactions();

            producer.beginTransaction();
            Frame first = frames.get(VIDEO_STREAM).get(0L);
            byte[] allBackground = ImageCodec.encodeGray8Png(new byte[854 * 480], 854, 480);
            producer.send(matteRecord(mattesTopic, first, allBackground)); // must never be exported
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            for (Map<Long, Frame> byStream : frames.values()) {
                for (Frame f : byStream.values()) {
                    byte[] png = ImageCodec.encodeGray8Png(gradient(f.getWidth(), f.getHeight()), f.getWidth(),
                            f.getHeight());
                    alphaPngs.put(f.getStreamId() + "/" + f.getSeq(), png);
                    producer.send(matteRecord(mattesTopic, f, png));
                }
            }
            producer.commitTransaction();

            producer.beginTransaction(); // an at-least-once style duplicate
            producer.send(matteRecord(mattesTopic, frames.get(VIDEO_STREAM).get(3L), allBackground));
            producer.commitTransaction();
        }

        // --- export ---
        Path out = tmp.resolve("out");
        long exportStart = System.nanoTime();
        ExportSummary export = Export.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .mattesTopic(mattesTopic)
                .framesTopic(framesTopic)
                .outputDir(out)
                .idleTimeout(Duration.ofSeconds(20))
                .progressBar(false)
                .build()
                .run();

        assertThat(export.complete()).as("stopped at the END frames, not on the idle timeout").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - exportStart)).isLessThan(Duration.ofSeconds(20));
        assertThat(export.stream(VIDEO_STREAM).mattes()).isEqualTo(VIDEO_FRAMES);
        assertThat(export.stream(VIDEO_STREAM).composites()).isEqualTo(VIDEO_FRAMES);
        assertThat(export.stream(VIDEO_STREAM).fps()).isCloseTo(24.0, within(0.1));
        assertThat(export.stream(FOLDER_STREAM).mattes()).isEqualTo(FOLDER_FRAMES);
        assertThat(export.duplicatesSkipped()).isGreaterThanOrEqualTo(1);

        Path videoDir = out.resolve(VIDEO_STREAM);
        for (int seq = 0; seq < VIDEO_FRAMES; seq++) {
            Path alpha = videoDir.resolve("alpha").resolve(String.format("%06d.png", seq));
            assertThat(alpha).exists();
            assertThat(Files.readAllBytes(alpha)).isEqualTo(alphaPngs.get(VIDEO_STREAM + "/" + seq));
            assertThat(videoDir.resolve("composite").resolve(String.format("%06d.png", seq))).exists();
        }
        assertThat(out.resolve(FOLDER_STREAM).resolve("alpha").resolve("000002.png")).exists();

        // Composite = alpha * frame + (1 - alpha) * green, from the frame's decoded pixels.
        for (long seq : new long[] {0, 3, 11}) {
            RgbImage frame = ImageCodec.decode(bytes(frames.get(VIDEO_STREAM).get(seq).getPayload()));
            RgbImage composite = ImageCodec.decode(Files.readAllBytes(
                    videoDir.resolve("composite").resolve(String.format("%06d.png", seq))));
            byte[] alpha = gradient(854, 480);
            for (int[] xy : new int[][] {{0, 10}, {200, 100}, {427, 240}, {640, 400}, {853, 479}}) {
                int a = alpha[xy[1] * 854 + xy[0]] & 0xff;
                int f = frame.rgbAt(xy[0], xy[1]);
                int c = composite.rgbAt(xy[0], xy[1]);
                int[] bg = {0x00, 0xb1, 0x40};
                for (int ch = 0; ch < 3; ch++) {
                    int shift = 16 - 8 * ch;
                    double expected = (a * ((f >> shift) & 0xff) + (255 - a) * bg[ch]) / 255.0;
                    assertThat((double) ((c >> shift) & 0xff))
                            .as("seq %d pixel %d,%d channel %d (alpha %d)", seq, xy[0], xy[1], ch, a)
                            .isCloseTo(expected, within(2.0));
                }
            }
        }

        // The video re-opens with every composite in it.
        Path mp4 = export.stream(VIDEO_STREAM).video();
        assertThat(mp4).isEqualTo(videoDir.resolve("composite.mp4"));
        assertThat(Files.size(mp4)).isPositive();
        assertThat(export.stream(VIDEO_STREAM).videoFrames()).isEqualTo(VIDEO_FRAMES);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile())) {
            grabber.start();
            assertThat(grabber.getImageWidth()).isEqualTo(854);
            assertThat(grabber.getImageHeight()).isEqualTo(480);
            assertThat(grabber.getVideoCodec()).isIn(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264,
                    org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4);
            int n = 0;
            while (grabber.grabImage() != null) {
                n++;
            }
            assertThat(n).isEqualTo(VIDEO_FRAMES);
        }
        assertThat(Files.size(out.resolve(FOLDER_STREAM).resolve("composite.mp4"))).isPositive();
    }

    private static ProducerRecord<String, Matte> matteRecord(String topic, Frame f, byte[] png) {
        Matte m = Matte.newBuilder()
                .setStreamId(f.getStreamId())
                .setSeq(f.getSeq())
                .setEventTimeMs(f.getEventTimeMs())
                .setWidth(f.getWidth())
                .setHeight(f.getHeight())
                .setAlphaPng(ByteBuffer.wrap(png))
                .setModelId("synthetic-gradient")
                .setStateReset(f.getSeq() == 0)
                .setResetReason(f.getSeq() == 0 ? "FIRST_FRAME" : null)
                .setTimingsMicros(Map.of())
                .build();
        return new ProducerRecord<>(topic, f.getStreamId(), m);
    }

    /** alpha(x, y) = round(255 * x / (w - 1)): every value from 0 to 255 across a row. */
    private static byte[] gradient(int w, int h) {
        byte[] a = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                a[y * w + x] = (byte) Math.round(255.0 * x / (w - 1));
            }
        }
        return a;
    }

    private static Path writeImageFolder(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < FOLDER_FRAMES; i++) {
            byte[] rgb = new byte[FOLDER_W * FOLDER_H * 3];
            for (int p = 0; p < rgb.length; p += 3) {
                rgb[p] = (byte) (60 * i);
                rgb[p + 1] = (byte) ((p / 3) % FOLDER_W * 4);
                rgb[p + 2] = (byte) 200;
            }
            Files.write(dir.resolve(String.format("img_%03d.png", i)),
                    ImageCodec.encodeRgbPng(new RgbImage(FOLDER_W, FOLDER_H, rgb)));
        }
        Files.writeString(dir.resolve("notes.txt"), "not a frame", StandardCharsets.UTF_8);
        return dir;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, T>> readAll(
            String topic, Class<T> type, int expected) {
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
            // and nothing more
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        assertThat(out).hasSize(expected);
        return out;
    }

    private static List<Long> range(int n) {
        List<Long> l = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
