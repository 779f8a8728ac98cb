package dev.alphaflow.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Before a bounded run: how much of a topic a consumer group has left to read. A second {@code --bounded} run of the
 * same job otherwise starts at the group's committed offsets, finds them at the end, and ends having done nothing
 * without a word.
 *
 * <pre>{@code
 * BoundedRunCheck.Result left = BoundedRunCheck.of(bootstrapServers, kafkaProperties).check(groupId, framesTopic);
 * if (left.nothingToDo()) {
 *     System.out.println(left.message()); // group G is at the end of topic T; nothing to do; --from-beginning ...
 *     return 0;
 * }
 * }</pre>
 *
 * <p>Per partition the run starts at the group's committed offset, or at the earliest offset where the group has
 * none (as {@code committedOffsets(EARLIEST)} does), and ends at the last stable offset (what a
 * {@code read_committed} reader can reach). The difference counts offsets, and a transactional producer leaves one
 * offset per transaction for its commit marker, which no consumer ever receives: {@link Result#remaining()} is
 * therefore an upper bound, and whether any record is left at all is found by reading (a {@code read_committed}
 * consumer, at most the first batch past the committed offsets), so a group parked just before a commit marker
 * (where Flink leaves it: last record + 1) is "at the end".
 *
 * <p>After a bounded run has finished, {@link #recordFinished} moves the group to the end offsets {@link #check} saw.
 * Flink's Kafka source commits offsets asynchronously when a checkpoint completes, and the commit for the final
 * checkpoint of a finishing job may never reach the broker (the reader closes first): the group would stay at an
 * earlier checkpoint's offsets, and the next run would read again what this one already wrote, then announce work
 * that is not there. The check runs before the job starts, and a bounded source stops at the end offsets it finds
 * when it starts, so the offsets of the check are never beyond what the run has read.
 */
public final class BoundedRunCheck {

    /** Flag that makes a run ignore the committed offsets; named in {@link Result#message()}. */
    public static final String FROM_BEGINNING_FLAG = "--from-beginning";

    private final String bootstrapServers;
    private final Map<String, Object> clientProperties;
    private final Duration timeout;

    private BoundedRunCheck(String bootstrapServers, Map<String, Object> clientProperties, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
        this.timeout = timeout;
    }

    /**
     * A check against {@code bootstrapServers} with the jobs' pass-through client settings ({@code security.*},
     * {@code sasl.*}, ...). Run {@link KafkaPreflight} first: this one assumes the cluster answers and the topic
     * exists.
     */
    public static BoundedRunCheck of(String bootstrapServers, Map<String, ?> clientProperties) {
        Map<String, Object> props = new LinkedHashMap<>(Objects.requireNonNull(clientProperties, "clientProperties"));
        props.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return new BoundedRunCheck(Objects.requireNonNull(bootstrapServers, "bootstrapServers"), Map.copyOf(props),
                KafkaPreflight.DEFAULT_TIMEOUT);
    }

    /** The longest the check may take (default {@link KafkaPreflight#DEFAULT_TIMEOUT}). */
    public BoundedRunCheck withTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new BoundedRunCheck(bootstrapServers, clientProperties, timeout);
    }

    /** What group {@code groupId} has left to read of {@code topic} (all its partitions). */
    public Result check(String groupId, String topic) {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(topic, "topic");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(adminProperties())) {
            List<TopicPartition> partitions = await(admin.describeTopics(List.of(topic)).allTopicNames(), deadline)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> committed =
                    await(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), deadline);
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, OffsetSpec.earliest(), deadline);
            Map<TopicPartition, Long> end = offsets(admin, partitions, OffsetSpec.latest(), deadline);

            List<PartitionProgress> progress = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                // A committed offset below the earliest one (records deleted by retention) starts at the earliest.
                long start = c == null ? earliest.get(tp) : Math.max(c.offset(), earliest.get(tp));
                progress.add(new PartitionProgress(tp.partition(), c != null, start, end.get(tp)));
            }
            boolean anyRecord = progress.stream().anyMatch(p -> p.offsetsLeft() > 0)
                    && anyRecordLeft(progress, topic, deadline);
            return new Result(groupId, topic, progress, anyRecord);
        }
    }

    /**
     * After a bounded run that started after {@code before} was taken has finished successfully: commits, for group
     * {@code groupId}, {@code before}'s end offset in every partition where the group's committed offset is lower (it
     * never moves a group back). Returns the partitions moved.
     */
    public List<Integer> recordFinished(Result before) {
        String topic = before.topic();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(adminProperties())) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    await(admin.listConsumerGroupOffsets(before.groupId()).partitionsToOffsetAndMetadata(), deadline);
            Map<TopicPartition, OffsetAndMetadata> forward = new LinkedHashMap<>();
            for (PartitionProgress p : before.partitions()) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                OffsetAndMetadata c = committed.get(tp);
                if (p.end() > 0 && (c == null || c.offset() < p.end())) {
                    forward.put(tp, new OffsetAndMetadata(p.end()));
                }
            }
            if (!forward.isEmpty()) {
                await(admin.alterConsumerGroupOffsets(before.groupId(), forward).all(), deadline);
            }
            return forward.keySet().stream().map(TopicPartition::partition).toList();
        }
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> adminProps = new LinkedHashMap<>(clientProperties);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "alphaflow-bounded-run-check");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return adminProps;
    }

    // Reads from the start offsets until a record turns up or every partition's position reaches its end.
    private boolean anyRecordLeft(List<PartitionProgress> progress, String topic, long deadline) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "alphaflow-bounded-run-check");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG); // read without joining (or committing for) any group
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (PartitionProgress p : progress) {
                if (p.offsetsLeft() > 0) {
                    ends.put(new TopicPartition(topic, p.partition()), p.end());
                }
            }
            consumer.assign(ends.keySet());
            for (PartitionProgress p : progress) {
                if (p.offsetsLeft() > 0) {
                    consumer.seek(new TopicPartition(topic, p.partition()), p.start());
                }
            }
            while (System.nanoTime() < deadline) {
                if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                    return true;
                }
                boolean allAtEnd = ends.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(5)) >= e.getValue());
                if (allAtEnd) {
                    return false;
                }
            }
            return true; // could not tell in time: assume there is work, as the offsets say
        }
    }

    private Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec,
            long deadline) {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = await(admin.listOffsets(request,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), deadline);
        return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private <T> T await(KafkaFuture<T> future, long deadline) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not report the offsets within "
                    + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read offsets from Kafka at " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading offsets from " + bootstrapServers, e);
        }
    }

    /** One partition: where the run would start ({@code committed} or earliest) and where it would end. */
    public record PartitionProgress(int partition, boolean committed, long start, long end) {
        /** Offsets between start and end; counts transaction markers too. */
        public long offsetsLeft() {
            return Math.max(0, end - start);
        }
    }

    /** What the group has left; {@link #message()} is the line to print. */
    public record Result(String groupId, String topic, List<PartitionProgress> partitions, boolean anyRecordLeft) {
        public Result {
            partitions = List.copyOf(partitions);
        }

        /** True when a bounded run would read nothing: every partition is at its end (past markers only). */
        public boolean nothingToDo() {
            return !anyRecordLeft;
        }

        /** Records left to read, at most: offsets between start and end over all partitions (0 if nothing to do). */
        public long remaining() {
            return anyRecordLeft ? partitions.stream().mapToLong(PartitionProgress::offsetsLeft).sum() : 0;
        }

        /** Whether the group has committed offsets in at least one partition of the topic. */
        public boolean hasCommits() {
            return partitions.stream().anyMatch(PartitionProgress::committed);
        }

        /** The line for the user. */
        public String message() {
            if (nothingToDo()) {
                return hasCommits()
                        ? String.format("group %s is at the end of topic %s; nothing to do; %s to start over",
                                groupId, topic, FROM_BEGINNING_FLAG)
                        : String.format("topic %s has no records; nothing to do", topic);
            }
            long fresh = partitions.stream().filter(p -> !p.committed()).count();
            return String.format("group %s has %d record(s) left to read in topic %s (%d partition(s)%s)", groupId,
                    remaining(), topic, partitions.size(),
                    fresh == 0 ? "" : fresh == partitions.size() ? ", none read yet: from the earliest offset"
                            : ", " + fresh + " not read yet: from the earliest offset");
        }
    }
}
