package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.cli.AlphaflowCli;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;
import dev.alphaflow.schemas.serde.AvroKafkaSerde;

/** {@code alphaflow replay --prompts/--prompt/--remove} of real DAVIS frames into a real broker, read back. */
class ReplayPromptsITCase {
    private static final String SEQ = "blackswan";
    private static final int FRAMES = 4;
    private static final int W = 854;
    private static final int H = 480;

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
    void promptsTravelWithTheirFrames(@TempDir Path tmp) throws Exception {
        String topic = "frames-" + UUID.randomUUID();
        kafka.createTopics(1, topic);
        Path images = SharedData.data("davis2016/JPEGImages/480p/" + SEQ);
        Path annotations = SharedData.data("davis2016/Annotations/480p/" + SEQ);
        // The DAVIS way to start a sequence: a folder with the first frame's annotation only.
        Path first = Files.createDirectory(tmp.resolve("first"));
        Files.copy(annotations.resolve("00000.png"), first.resolve("00000.png"));
        Path frame2 = annotations.resolve("00002.png");

        StringWriter err = new StringWriter();
        int code = cli(err).execute("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--frames-topic", topic,
                "--fast", "--no-progress", "--max-frames", Integer.toString(FRAMES),
                "--prompts", first.toString(),
                "--prompt", "2:2:" + frame2 + ":swan",
                "--remove", "3:2",
                images.toString());
        assertThat(code).as(err::toString).isZero();

        Map<Long, Frame> frames = new TreeMap<>();
        for (ConsumerRecord<String, Frame> r : readAll(topic, FRAMES + 1)) {
            frames.put(r.value().getSeq(), r.value());
        }
        assertThat(frames.keySet()).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(frames.get(4L).getControl()).isEqualTo(Control.END);

        List<ObjectPrompt> at0 = frames.get(0L).getPrompts();
        assertThat(at0).hasSize(1);
        ObjectPrompt p0 = at0.get(0);
        assertThat(p0.getObjectId()).isEqualTo(1);
        assertThat(p0.getAction()).isEqualTo(PromptAction.ADD);
        assertThat(p0.getLabel()).isNull();
        assertMaskMatches(p0.getMask(), annotations.resolve("00000.png"));

        assertThat(frames.get(1L).getPrompts()).isEmpty();
        ObjectPrompt p2 = frames.get(2L).getPrompts().get(0);
        assertThat(frames.get(2L).getPrompts()).hasSize(1);
        assertThat(p2.getObjectId()).isEqualTo(2);
        assertThat(p2.getLabel()).isEqualTo("swan");
        assertMaskMatches(p2.getMask(), frame2);
        ObjectPrompt p3 = frames.get(3L).getPrompts().get(0);
        assertThat(frames.get(3L).getPrompts()).hasSize(1);
        assertThat(p3.getAction()).isEqualTo(PromptAction.REMOVE);
        assertThat(p3.getObjectId()).isEqualTo(2);
        assertThat(p3.getMask()).isNull();
    }

    @Test
    void aRefusedPromptSendsNothing(@TempDir Path tmp) throws Exception {
        String topic = "frames-" + UUID.randomUUID();
        kafka.createTopics(1, topic);
        Path images = SharedData.data("davis2016/JPEGImages/480p/" + SEQ);
        BufferedImage small = new BufferedImage(W / 2, H / 2, BufferedImage.TYPE_BYTE_GRAY);
        small.getRaster().setSample(10, 10, 0, 255);
        Path wrong = tmp.resolve("half.png");
        ImageIO.write(small, "png", wrong.toFile());

        StringWriter err = new StringWriter();
        int code = cli(err).execute("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--frames-topic", topic,
                "--fast", "--no-progress", "--max-frames", "2", "--prompt", "1:1:" + wrong, images.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains(wrong.toString(), "427x240", "854x480");
        assertThat(readAll(topic, 0)).isEmpty();
    }

    private static void assertMaskMatches(ByteBuffer png, Path annotation) throws Exception {
        byte[] bytes = new byte[png.remaining()];
        png.duplicate().get(bytes);
        assertThat(ImageCodec.probe(bytes).width()).isEqualTo(W);
        byte[] sent = ImageCodec.decodeGray8Png(bytes);
        BufferedImage truth = ImageIO.read(annotation.toFile());
        int[] expected = truth.getRaster().getSamples(0, 0, W, H, 0, new int[W * H]);
        long object = 0;
        for (int i = 0; i < W * H; i++) {
            assertThat(sent[i] & 0xff).as("pixel %d of %s", i, annotation).isEqualTo(expected[i] != 0 ? 255 : 0);
            object += expected[i] != 0 ? 1 : 0;
        }
        assertThat(object).as("the annotation has an object").isGreaterThan(1000);
    }

    private static CommandLine cli(StringWriter err) {
        CommandLine cl = AlphaflowCli.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    private static List<ConsumerRecord<String, Frame>> readAll(String topic, int expected) {
        List<ConsumerRecord<String, Frame>> out = new ArrayList<>();
        try (KafkaConsumer<String, Frame> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaDefaults.MAX_RECORD_BYTES),
                new StringDeserializer(), AvroKafkaSerde.deserializer(Frame.class))) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(out::add); // and nothing more
        }
        assertThat(out).hasSize(expected);
        return out;
    }
}
