package dev.alphaflow.jobs.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import dev.alphaflow.jobs.KafkaDefaults;

/**
 * Creates topics on a single-node broker and waits until they can be used: what both local brokers (the embedded one
 * of the demos and tests, and the {@code alphaflow kafka} process) do when they start.
 */
public final class TopicCreation {
    private TopicCreation() {}

    /**
     * Creates the topics that do not exist yet ({@code partitions} each, one replica, with {@code configs}) and waits
     * until every partition has a leader. Existing topics are left as they are. Returns each topic's partition count.
     * The schemas topic ({@link KafkaDefaults#SCHEMAS_TOPIC}) is the exception: one partition, compacted, since it
     * holds one schema per fingerprint that readers read from the start.
     */
    public static Map<String, Integer> createAndAwaitLeaders(Admin admin, Collection<String> names, int partitions,
            Map<String, String> configs, Duration timeout) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            Objects.requireNonNull(name, "topic name");
            if (name.equals(KafkaDefaults.SCHEMAS_TOPIC)) {
                Map<String, String> compacted = new LinkedHashMap<>(configs);
                compacted.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                topics.add(new NewTopic(name, 1, (short) 1).configs(compacted));
            } else {
                topics.add(new NewTopic(name, partitions, (short) 1).configs(configs));
            }
        }
        for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(topics).values().entrySet()) {
            try {
                result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause(), e);
                }
            } catch (Exception e) {
                throw failure("cannot create topic " + result.getKey(), e);
            }
        }
        return awaitLeaders(admin, names, timeout);
    }

    private static Map<String, Integer> awaitLeaders(Admin admin, Collection<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    Map<String, Integer> counts = new LinkedHashMap<>();
                    for (String name : names) {
                        counts.put(name, descriptions.get(name).partitions().size());
                    }
                    return counts;
                }
            } catch (ExecutionException e) {
                // a topic just created may not be known to every part of the broker yet
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topics " + names + ": " + e.getCause(), e);
                }
            } catch (Exception e) {
                throw failure("cannot describe topics " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have no leader after " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
        }
    }

    private static RuntimeException failure(String message, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(message + ": " + e, e);
    }
}
