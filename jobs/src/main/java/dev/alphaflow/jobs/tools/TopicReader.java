package dev.alphaflow.jobs.tools;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;

/**
 * Reads one topic from the beginning up to the end offsets found when it starts ({@code read_committed}: the last
 * stable offsets, once the transactions committed before the start have their markers: {@link #settledEndOffsets}),
 * so it finishes on a topic that keeps growing; or until nothing arrives for the idle timeout. Also
 * the pieces of it the export tools share: their consumer settings, a topic's partitions, the caught-up check and the
 * count of records that do not decode.
 */
public final class TopicReader {
    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReader() {}

    /** The consumer settings of the export tools: read_committed, no group, no auto-created topics. */
    public static Properties consumerConfig(String bootstrapServers, String clientId, Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(KafkaDefaults.MAX_RECORD_BYTES + 1024 * 1024));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(4 * KafkaDefaults.MAX_RECORD_BYTES));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.putAll(overrides);
        return p;
    }

    /**
     * Hands every record to {@code handler}, in partition order.
     *
     * @return true when the end was reached, false when it stopped on the idle timeout
     * @throws IllegalStateException when the topic does not exist
     */
    static boolean readToEnd(Properties config, String topic, Duration idleTimeout,
            Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions(consumer, topic,
                    config.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG), "");
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = settledEndOffsets(config, consumer, parts, idleTimeout);
            long lastProgress = System.nanoTime();
            while (!caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    lastProgress = System.nanoTime();
                    handler.accept(record);
                }
                if (System.nanoTime() - lastProgress > idleTimeout.toNanos()) {
                    LOG.warn("Nothing new in {} for {} s; stopping before its end", topic, idleTimeout.toSeconds());
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * {@link #readToEnd(Properties, String, Duration, Consumer)} of a topic of Avro records: hands each record that
     * decodes to {@code handler} and counts the others in {@code undecodable}.
     */
    static <T extends SpecificRecord> boolean readToEnd(Properties config, String topic, Duration idleTimeout,
            AvroCodec<T> codec, Undecodable undecodable, Consumer<T> handler) {
        return readToEnd(config, topic, idleTimeout, record -> {
            T value;
            try {
                value = codec.decode(record.value());
            } catch (AvroDecodeException e) {
                undecodable.skip(record, e);
                return;
            }
            handler.accept(value);
        });
    }

    /**
     * The end offsets a {@code read_committed} read of {@code parts} stops at, such that every transaction committed
     * before it started is included. The last stable offsets alone are not that: {@code commitTransaction} returns
     * before the coordinator has written the commit markers, and until then the stable offset stays at the
     * transaction's first record, so a read started right after a job's last commit stopped before its records.
     * Waits, up to {@code settle}, until the stable offsets reach the high watermarks seen at the start; a transaction
     * still open after that (a job still writing, or one killed mid-transaction until the broker aborts it) is left
     * out, as {@code read_committed} must.
     */
    static Map<TopicPartition, Long> settledEndOffsets(Properties config, KafkaConsumer<?, ?> committed,
            List<TopicPartition> parts, Duration settle) {
        Map<TopicPartition, Long> written;
        Properties uncommitted = new Properties();
        uncommitted.putAll(config);
        uncommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        // a client id of its own: two clients with one id in a JVM clash on their JMX names
        uncommitted.put(ConsumerConfig.CLIENT_ID_CONFIG,
                config.getProperty(ConsumerConfig.CLIENT_ID_CONFIG, "alphaflow-reader") + "-high-watermarks");
        try (KafkaConsumer<byte[], byte[]> hw =
                new KafkaConsumer<>(uncommitted, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            written = hw.endOffsets(parts, Duration.ofSeconds(30));
        }
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            Map<TopicPartition, Long> stable = committed.endOffsets(parts, Duration.ofSeconds(30));
            List<TopicPartition> open = parts.stream().filter(tp -> stable.get(tp) < written.get(tp))
                    .collect(Collectors.toList());
            if (open.isEmpty()) {
                return stable;
            }
            if (System.nanoTime() > deadline) {
                LOG.info("A transaction in {} is still open after {} s; reading up to its start", open,
                        settle.toSeconds());
                return stable;
            }
            try {
                Thread.sleep(POLL.toMillis() / 4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return stable;
            }
        }
    }

    /**
     * The topic's partitions.
     *
     * @param hint appended to the message when the topic does not exist (may be empty)
     * @throws IllegalStateException when the topic does not exist
     */
    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, String bootstrapServers,
            String hint) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrapServers + hint);
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).collect(Collectors.toList());
    }

    /** Whether the consumer's position has reached {@code end} in every partition of it. */
    static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(10)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Counts the records of an export that did not decode; the first ten are logged, the rest only counted. */
    static final class Undecodable {
        private long count;

        void skip(ConsumerRecord<?, ?> record, AvroDecodeException e) {
            if (count++ < 10) {
                LOG.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }

        long count() {
            return count;
        }
    }
}
