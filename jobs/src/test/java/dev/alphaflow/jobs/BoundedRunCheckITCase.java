package dev.alphaflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.local.EmbeddedKafka;

/** {@link BoundedRunCheck} on a real KRaft broker: committed offsets at the end, in the middle, and none. */
class BoundedRunCheckITCase {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void groupAtTheEndHasNothingToDo() throws Exception {
        String topic = topicWith(6, 4); // partition 0: 6 records, partition 1: 4
        commit("g-end", topic, Map.of(0, 6L, 1, 4L));

        BoundedRunCheck.Result result = check("g-end", topic);
        assertThat(result.nothingToDo()).isTrue();
        assertThat(result.remaining()).isZero();
        assertThat(result.message())
                .isEqualTo("group g-end is at the end of topic " + topic + "; nothing to do; --from-beginning to start over");
    }

    @Test
    void groupInTheMiddleCountsWhatIsLeftAndPartitionsWithoutCommitsFromTheEarliest() throws Exception {
        String topic = topicWith(6, 4);
        commit("g-mid", topic, Map.of(0, 2L)); // nothing committed in partition 1

        BoundedRunCheck.Result result = check("g-mid", topic);
        assertThat(result.nothingToDo()).isFalse();
        assertThat(result.remaining()).isEqualTo(4 + 4);
        assertThat(result.partitions()).extracting(BoundedRunCheck.PartitionProgress::committed)
                .containsExactly(true, false);
        assertThat(result.message()).contains("group g-mid has 8 record(s) left to read in topic " + topic,
                "1 not read yet");
    }

    @Test
    void groupWithoutCommitsReadsEverything() throws Exception {
        String topic = topicWith(6, 4);
        BoundedRunCheck.Result result = check("g-new", topic);
        assertThat(result.remaining()).isEqualTo(10);
        assertThat(result.hasCommits()).isFalse();
        assertThat(result.message()).contains("10 record(s)", "none read yet");
    }

    @Test
    void emptyTopicHasNothingToDoEvenWithoutCommits() throws Exception {
        String topic = topicWith(0, 0);
        BoundedRunCheck.Result result = check("g-empty", topic);
        assertThat(result.nothingToDo()).isTrue();
        assertThat(result.message()).isEqualTo("topic " + topic + " has no records; nothing to do");
    }

    @Test
    void commitMarkerAfterTheLastRecordIsNotWorkLeft() throws Exception {
        String topic = "bounded.tx-" + TOPICS.incrementAndGet();
        kafka.createTopics(1, topic);
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bounded-run-check-" + topic);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {(byte) i}));
            }
            producer.commitTransaction(); // records at offsets 0..2, the commit marker at 3
        }
        // Where Flink's Kafka source commits after the last record: its offset + 1, i.e. before the marker.
        commit("g-flink", topic, Map.of(0, 3L));
        BoundedRunCheck.Result atEnd = check("g-flink", topic);
        assertThat(atEnd.partitions().get(0).offsetsLeft()).isEqualTo(1);
        assertThat(atEnd.nothingToDo()).isTrue();
        assertThat(atEnd.message()).contains("is at the end");

        commit("g-tx-mid", topic, Map.of(0, 1L));
        BoundedRunCheck.Result mid = check("g-tx-mid", topic);
        assertThat(mid.nothingToDo()).isFalse();
        assertThat(mid.remaining()).isEqualTo(3); // two records and the marker: an upper bound
    }

    @Test
    void recordFinishedMovesTheGroupToTheEndsSeenBeforeTheRunAndNeverBack() throws Exception {
        String topic = topicWith(6, 4);
        // A run's last commit lost: the group stayed at an earlier checkpoint's offsets in partition 0, none in 1.
        commit("g-lost", topic, Map.of(0, 5L));
        BoundedRunCheck.Result before = check("g-lost", topic);
        assertThat(before.remaining()).isEqualTo(1 + 4);
        // Records written after the check are not the run's: the group must not skip past them.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 1, null, new byte[] {9})).get();
        }

        assertThat(BoundedRunCheck.of(kafka.bootstrapServers(), Map.of()).recordFinished(before))
                .containsExactly(0, 1);
        assertThat(committed("g-lost", topic)).containsEntry(0, 6L).containsEntry(1, 4L);
        assertThat(check("g-lost", topic).remaining()).isEqualTo(1);

        // A group already further (a later run) is not moved back.
        commit("g-lost", topic, Map.of(1, 5L));
        assertThat(BoundedRunCheck.of(kafka.bootstrapServers(), Map.of()).recordFinished(before)).isEmpty();
        assertThat(committed("g-lost", topic)).containsEntry(0, 6L).containsEntry(1, 5L);
    }

    private static Map<Integer, Long> committed(String group, String topic) throws Exception {
        Map<Integer, Long> offsets = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
            if (tp.topic().equals(topic)) {
                offsets.put(tp.partition(), o.offset());
            }
        });
        return offsets;
    }

    private static BoundedRunCheck.Result check(String group, String topic) {
        return BoundedRunCheck.of(kafka.bootstrapServers(), Map.of()).check(group, topic);
    }

    private static String topicWith(int inPartition0, int inPartition1) throws Exception {
        String topic = "bounded." + TOPICS.incrementAndGet();
        kafka.createTopics(2, topic);
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true); // as replay writes frames
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < inPartition0; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {(byte) i})).get();
            }
            for (int i = 0; i < inPartition1; i++) {
                producer.send(new ProducerRecord<>(topic, 1, null, new byte[] {(byte) i})).get();
            }
        }
        return topic;
    }

    private static void commit(String group, String topic, Map<Integer, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((partition, offset) -> commits.put(new TopicPartition(topic, partition),
                new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(group, commits).all().get();
    }
}
