package dev.alphaflow.jobs.tools;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.alphaflow.jobs.KafkaDefaults;

/**
 * Reads what a topic holds between two points in time: {@link #endOffsets} before a run, then {@link #readSince}
 * after it visits every committed record written since. Used for the jobs' end-of-run summaries (outputs written,
 * dead letters by reason).
 */
public final class TopicTally {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Properties clientProperties;

    /** @param clientProperties bootstrap servers and any pass-through client properties */
    public TopicTally(Map<String, String> clientProperties, String bootstrapServers) {
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
        this.clientProperties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.clientProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.clientProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.clientProperties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(KafkaDefaults.MAX_RECORD_BYTES));
    }

    /** The topic's end offsets now (empty when the topic does not exist). */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        return endOffsets(topic, "read_committed");
    }

    /**
     * Counts the records written to {@code topic} after {@code since}, as they arrive and before their transactions
     * commit (read_uncommitted: a live count of a job's output while it runs; aborted records would count too).
     * Calls {@code onCount} with the running total after every poll, while {@code keepGoing} says so (not by
     * interrupting the thread: an interrupted Kafka consumer cannot close cleanly).
     */
    public void follow(String topic, Map<TopicPartition, Long> since, java.util.function.BooleanSupplier keepGoing,
            java.util.function.LongConsumer onCount) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, since.getOrDefault(tp, 0L));
            }
            long count = 0;
            while (keepGoing.getAsBoolean()) {
                count += consumer.poll(Duration.ofMillis(200)).count();
                onCount.accept(count);
            }
        }
    }

    private Map<TopicPartition, Long> endOffsets(String topic, String isolation) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            return partitions.isEmpty() ? Map.of() : new HashMap<>(consumer.endOffsets(partitions, TIMEOUT));
        }
    }

    /**
     * Visits every committed record of {@code topic} from {@code since} (partitions not in it: from the beginning) to
     * the current end, and returns how many there were.
     */
    public long readSince(String topic, Map<TopicPartition, Long> since, Consumer<ConsumerRecord<byte[], byte[]>> visitor) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            if (partitions.isEmpty()) {
                return 0;
            }
            Map<TopicPartition, Long> end = TopicReader.settledEndOffsets(clientProperties, consumer, partitions,
                    TIMEOUT);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, since.getOrDefault(tp, 0L));
            }
            long records = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos() * 3;
            // Transaction markers occupy offsets too, so compare positions, not counts, with the end.
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        visitor.accept(r);
                        records++;
                    }
                }
            }
            return records;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(clientProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        var infos = consumer.listTopics(TIMEOUT).get(topic);
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }
}
