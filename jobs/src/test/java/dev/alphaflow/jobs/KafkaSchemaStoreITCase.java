package dev.alphaflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.tools.Replay;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * The Kafka-backed schema store against a real broker: registration (also by Replay), lookups, catching up, bad
 * records, and the local brokers' schemas topic.
 */
class KafkaSchemaStoreITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /** Frame with one more symbol in its Control enum: what a newer producer would write with. */
    private static Schema frameWithControlSymbol(String symbol) {
        return new Schema.Parser().parse(Frame.getClassSchema().toString()
                .replace("\"symbols\":[\"NONE\",\"RESET\",\"END\"]",
                        "\"symbols\":[\"NONE\",\"RESET\",\"END\",\"" + symbol + "\"]"));
    }

    private static KafkaSchemaStore.Settings freshTopic() {
        String topic = "schemas-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopics(1, topic);
        return KafkaSchemaStore.Settings.of(kafka.bootstrapServers(), topic, Map.of(), Duration.ofSeconds(10));
    }

    @Test
    void aRegisteredSchemaIsFoundByItsFingerprint() {
        KafkaSchemaStore.Settings settings = freshTopic();
        Schema newer = frameWithControlSymbol("PAUSE");
        KafkaSchemaStore.register(settings, newer);

        try (KafkaSchemaStore store = KafkaSchemaStore.open(settings)) {
            assertThat(store.findByFingerprint(KafkaSchemaStore.fingerprint(newer))).isEqualTo(newer);
            // the schemas this build knows are found without the topic
            assertThat(store.findByFingerprint(KafkaSchemaStore.fingerprint(Frame.getClassSchema())))
                    .isEqualTo(Frame.getClassSchema());
        }
    }

    @Test
    void anUnknownFingerprintIsNullUntilItIsRegisteredThenTheStoreCatchesUp() {
        KafkaSchemaStore.Settings settings = freshTopic();
        Schema first = frameWithControlSymbol("PAUSE");
        Schema later = frameWithControlSymbol("SKIP");
        KafkaSchemaStore.register(settings, first);

        try (KafkaSchemaStore store = KafkaSchemaStore.open(settings)) {
            assertThat(store.findByFingerprint(0x0123456789abcdefL)).isNull();
            assertThat(store.findByFingerprint(KafkaSchemaStore.fingerprint(later))).isNull();

            KafkaSchemaStore.register(settings, later);

            assertThat(store.findByFingerprint(KafkaSchemaStore.fingerprint(later))).isEqualTo(later);
            assertThat(store.findByFingerprint(KafkaSchemaStore.fingerprint(first))).isEqualTo(first);
        }
    }

    @Test
    void recordsThatAreNotSchemasAreSkipped() throws Exception {
        KafkaSchemaStore.Settings settings = freshTopic();
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(settings.topic(), "junk".getBytes(StandardCharsets.UTF_8),
                    "{not a schema".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(settings.topic(), "gone".getBytes(StandardCharsets.UTF_8), null))
                    .get(10, TimeUnit.SECONDS);
        }
        Schema newer = frameWithControlSymbol("PAUSE");
        KafkaSchemaStore.register(settings, newer);

        try (KafkaSchemaStore store = KafkaSchemaStore.open(settings)) {
            assertThat(store.findByFingerprint(KafkaSchemaStore.fingerprint(newer))).isEqualTo(newer);
        }
    }

    @Test
    void aMissingTopicMeansUnknownNotAFailure() {
        KafkaSchemaStore.Settings settings = KafkaSchemaStore.Settings.of(kafka.bootstrapServers(),
                "no-such-schemas-" + UUID.randomUUID(), Map.of(), Duration.ofSeconds(5));
        try (KafkaSchemaStore store = KafkaSchemaStore.open(settings)) {
            assertThat(store.findByFingerprint(0x0123456789abcdefL)).isNull();
        }
    }

    @Test
    void replayRegistersTheFrameSchemaBeforeItsFrames(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("cam1"));
        Files.write(folder.resolve("0001.png"), ImageCodec.encodeRgbPng(new RgbImage(8, 8, new byte[8 * 8 * 3])));
        KafkaSchemaStore.Settings settings = freshTopic();
        String frames = "frames-" + settings.topic();
        kafka.createTopics(1, frames);

        Replay.builder().bootstrapServers(kafka.bootstrapServers()).topic(frames).schemasTopic(settings.topic())
                .input(folder).realTime(false).progressBar(false).build().run();

        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(settings.topic(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).hasSize(1);
            assertThat(records.get(0).key())
                    .isEqualTo(KafkaSchemaStore.key(KafkaSchemaStore.fingerprint(Frame.getClassSchema())));
            assertThat(new Schema.Parser().parse(records.get(0).value())).isEqualTo(Frame.getClassSchema());
        }
    }

    @Test
    void theLocalBrokersCreateTheSchemasTopicCompactedWithOnePartition() throws Exception {
        kafka.createTopics(2, KafkaDefaults.SCHEMAS_TOPIC, KafkaDefaults.DLQ_TOPIC);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    List.of(KafkaDefaults.SCHEMAS_TOPIC, KafkaDefaults.DLQ_TOPIC)).allTopicNames().get();
            assertThat(topics.get(KafkaDefaults.SCHEMAS_TOPIC).partitions()).hasSize(1);
            assertThat(topics.get(KafkaDefaults.DLQ_TOPIC).partitions()).hasSize(2);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, KafkaDefaults.SCHEMAS_TOPIC);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        assertThat(dev.alphaflow.jobs.broker.KafkaBroker.STANDARD_TOPICS).contains(KafkaDefaults.SCHEMAS_TOPIC);
    }
}
