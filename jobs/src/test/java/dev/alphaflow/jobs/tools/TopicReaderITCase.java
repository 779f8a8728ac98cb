package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.local.EmbeddedKafka;

/**
 * How a read to the end treats transactions on a real broker: one committed while the read starts is included (the
 * read waits for its markers), one left open is not, and the read does not wait for it past the idle timeout.
 */
class TopicReaderITCase {
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
    void aTransactionThatCommitsWhileTheReadStartsIsRead() throws Exception {
        String topic = "reader-commit-during-start";
        kafka.createTopics(1, topic);
        try (KafkaProducer<String, String> producer = transactional("commit-during-start")) {
            send(producer, topic, "a", "b");
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "c")).get();
            producer.send(new ProducerRecord<>(topic, "d")).get();

            // The read starts while c and d are written but not committed: the stable offset is at c, where a read of
            // the stable offset alone stops (what happens in the moment after commitTransaction returns, before the
            // coordinator writes the markers).
            List<String> read = new CopyOnWriteArrayList<>();
            CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(() -> readAll(topic, read,
                    Duration.ofSeconds(30)));
            Thread.sleep(1000);
            producer.commitTransaction();
            assertThat(reader.get(30, TimeUnit.SECONDS)).as("reached the end").isTrue();
            assertThat(read).containsExactly("a", "b", "c", "d");
        }
    }

    @Test
    void aTransactionLeftOpenIsLeftOutAfterTheIdleTimeout() throws Exception {
        String topic = "reader-left-open";
        kafka.createTopics(1, topic);
        try (KafkaProducer<String, String> producer = transactional("left-open")) {
            send(producer, topic, "a", "b");
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "open")).get();

            List<String> read = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            assertThat(readAll(topic, read, Duration.ofSeconds(2))).as("reached the stable end").isTrue();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(read).containsExactly("a", "b");
            assertThat(ms).as("waited for the open transaction about the idle timeout, ms")
                    .isBetween(1_900L, 20_000L);
            producer.abortTransaction();
        }
    }

    private static boolean readAll(String topic, List<String> into, Duration idleTimeout) {
        return TopicReader.readToEnd(TopicReader.consumerConfig(kafka.bootstrapServers(), "reader-test", Map.of()),
                topic, idleTimeout, r -> into.add(new String(r.value(), StandardCharsets.UTF_8)));
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String... values)
            throws Exception {
        producer.beginTransaction();
        for (String v : values) {
            producer.send(new ProducerRecord<>(topic, v)).get();
        }
    }

    private static KafkaProducer<String, String> transactional(String id) {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "topic-reader-it-" + id),
                new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }
}
