package dev.alphaflow.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.KafkaDefaults;

class EmbeddedKafkaITCase {

    @Test
    void startsProducesConsumesAndCleansUp() throws Exception {
        long start = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Path data = kafka.dataDirectory();
        try {
            long startupMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(startupMs).as("startup time in ms").isLessThan(20_000);
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            assertThat(data).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());

            kafka.createTopics(3, "t1", "t2");
            kafka.createTopics(3, "t1"); // idempotent
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).contains("t1", "t2");
                assertThat(admin.describeTopics(Set.of("t1")).allTopicNames().get().get("t1").partitions()).hasSize(3);
                // The only broker is not fenced by a few seconds of missed heartbeats (a stalled disk).
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
                assertThat(admin.describeConfigs(Set.of(broker)).all().get().get(broker)
                        .get("broker.session.timeout.ms").value())
                        .isEqualTo(Long.toString(EmbeddedKafka.SESSION_TIMEOUT.toMillis()));
            }

            // A frame-sized record (8 MiB) goes through with the tools' client limits.
            byte[] big = new byte[8 * 1024 * 1024];
            big[big.length - 1] = 42;
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaDefaults.MAX_RECORD_BYTES,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("t1", 1, "small", "hello".getBytes(StandardCharsets.UTF_8))).get();
                producer.send(new ProducerRecord<>("t1", 1, "big", big)).get();
            }
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaDefaults.MAX_RECORD_BYTES + 1024 * 1024),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition("t1", 1);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (records.size() < 2 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
            assertThat(records).extracting(ConsumerRecord::key).containsExactly("small", "big");
            assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(records.get(1).value()).hasSize(big.length).endsWith((byte) 42);
        } finally {
            kafka.close();
        }
        kafka.close(); // idempotent
        assertThat(Files.exists(data)).as("data folder deleted").isFalse();
    }
}
