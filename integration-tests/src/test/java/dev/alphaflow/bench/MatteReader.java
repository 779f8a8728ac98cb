package dev.alphaflow.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * Reads the mattes topic from the beginning. {@code read_committed} sees what a downstream consumer of an
 * exactly-once job sees; {@code read_uncommitted} sees records as soon as the sink has written them.
 */
final class MatteReader implements AutoCloseable {
    /**
     * One matte: who, when the broker appended it, when this reader got it, whether its state was reset, and the
     * stage timings the job recorded for it (decode, preprocess, inference = {@code session.run}, encode, total).
     */
    record Seen(String streamId, long seq, long appendTimeMs, long receivedAtMs, boolean stateReset,
            Map<String, Long> timingsMicros) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<Matte> codec = AvroCodec.of(Matte.class);
    private final List<Seen> seen = new ArrayList<>();

    MatteReader(String bootstrapServers, String topic, boolean readCommitted) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls once (up to {@code millis}) and returns everything seen so far. */
    List<Seen> poll(long millis) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(millis))) {
            long now = System.currentTimeMillis();
            Matte m = codec.decode(record.value());
            seen.add(new Seen(m.getStreamId(), m.getSeq(), record.timestamp(), now, m.getStateReset(),
                    Map.copyOf(m.getTimingsMicros())));
        }
        return seen;
    }

    /** Polls until {@code count} mattes matching {@code filter} were seen; fails after {@code timeout}. */
    List<Seen> awaitCount(int count, Predicate<Seen> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Seen> matching = poll(100).stream().filter(filter).toList();
            if (matching.size() >= count) {
                return matching;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("expected " + count + " mattes, saw " + matching.size() + " after "
                        + timeout);
            }
        }
    }

    List<Seen> awaitCount(int count, Duration timeout) {
        return awaitCount(count, s -> true, timeout);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
