package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.model.flow.FlowColors;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.KittiFlowPng;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.serde.AvroKafkaSerde;

/**
 * {@link FlowExport} on a real broker: committed OpticalFlow records become KITTI PNGs (byte for byte) and colour
 * pictures; a record without a flow writes nothing, an aborted one is not read, one read twice is counted once, and a
 * record whose flowPng is not a KITTI PNG is skipped and counted instead of stopping the export.
 */
class FlowExportITCase {
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

    private static OpticalFlow record(long seq, byte[] png) {
        return OpticalFlow.newBuilder()
                .setStreamId("cam/1").setSeq(seq).setEventTimeMs(1_700_000_000_000L + seq * 40)
                .setFromSeq(png == null ? null : seq - 1).setWidth(20).setHeight(10).setFrameWidth(20)
                .setFrameHeight(10).setFlowPng(png == null ? null : ByteBuffer.wrap(png)).setEstimator("opencv-dis")
                .setPreset("FAST").setStateReset(seq == 0).setResetReason(seq == 0 ? "FIRST_FRAME" : null)
                .build();
    }

    @Test
    void committedFlowsBecomeKittiAndColourPngs(@TempDir Path tmp) throws Exception {
        String topic = "flow-" + UUID.randomUUID();
        kafka.createTopics(1, topic);
        byte[] right = KittiFlowPng.encode(FlowField.constant(20, 10, 2.5f, 0));
        byte[] up = KittiFlowPng.encode(FlowField.constant(20, 10, 0, -1.25f));
        try (KafkaProducer<String, OpticalFlow> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-flow-" + UUID.randomUUID(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaDefaults.MAX_RECORD_BYTES),
                new StringSerializer(), AvroKafkaSerde.serializer(OpticalFlow.class))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "cam/1", record(9, up))).get();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "cam/1", record(0, null)));
            producer.send(new ProducerRecord<>(topic, "cam/1", record(1, right)));
            producer.send(new ProducerRecord<>(topic, "cam/1", record(2, up)));
            producer.send(new ProducerRecord<>(topic, "cam/1", record(2, up))); // delivered twice
            producer.send(new ProducerRecord<>(topic, "cam/1", record(3, new byte[] {1, 2, 3})));
            producer.commitTransaction();
        }

        Path out = tmp.resolve("out");
        FlowExport.Summary summary = FlowExport.builder().bootstrapServers(kafka.bootstrapServers()).flowTopic(topic)
                .outputDir(out).idleTimeout(Duration.ofSeconds(20)).build().run();

        assertThat(summary.flowsPerStream()).containsExactly(Map.entry("cam/1", 2L));
        assertThat(summary.withoutFlow()).isEqualTo(1);
        assertThat(summary.duplicates()).isEqualTo(1);
        assertThat(summary.badFlowPngs()).isEqualTo(1);
        Path dir = out.resolve(Export.directoryName("cam/1"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("000001.png", "000001_color.png", "000002.png", "000002_color.png");
        }
        assertThat(dir.resolve("000001.png")).hasBinaryContent(right);
        assertThat(KittiFlowPng.decode(Files.readAllBytes(dir.resolve("000002.png"))).dy(4, 4)).isEqualTo(-1.25f);
        assertThat(ImageCodec.decode(Files.readAllBytes(dir.resolve("000001_color.png"))))
                .isEqualTo(FlowColors.toColor(FlowField.constant(20, 10, 2.5f, 0)));
    }
}
