package dev.alphaflow.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before a job or tool starts, that Kafka answers and that its topics exist: within a bounded time (default
 * {@link #DEFAULT_TIMEOUT}), without the client's per-attempt connection warnings, and with a message that names
 * the servers and the flag that fixes them. Without it a missing broker shows up as a minute of "not present in
 * metadata" or a thousand connection warnings.
 *
 * <pre>{@code
 * KafkaPreflight.Result kafka = KafkaPreflight.forServers(options.bootstrapServers())
 *         .withClientProperties(options.kafkaProperties())   // security.protocol, sasl.*, ...
 *         .check(List.of(framesTopic), List.of(mattesTopic, dlqTopic));
 * kafka.partitions(framesTopic); // 4
 * }</pre>
 */
public final class KafkaPreflight {

    /** How long the check may take unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** What a user changes to point at another cluster; part of every failure message. */
    public static final String DEFAULT_FIX =
            "--bootstrap-servers HOST:PORT (or -D alphaflow.kafka.bootstrap-servers=HOST:PORT)";

    private final String bootstrapServers;
    private final Map<String, Object> clientProperties;
    private final Duration timeout;
    private final String fix;

    private KafkaPreflight(String bootstrapServers, Map<String, Object> clientProperties, Duration timeout, String fix) {
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
        this.timeout = timeout;
        this.fix = fix;
    }

    /** A check of the cluster at {@code bootstrapServers} ({@code host:port[,host:port...]}). */
    public static KafkaPreflight forServers(String bootstrapServers) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers given; set " + DEFAULT_FIX);
        }
        return new KafkaPreflight(bootstrapServers.trim(), Map.of(), DEFAULT_TIMEOUT, DEFAULT_FIX);
    }

    /**
     * Client settings the jobs pass to every Kafka client (e.g. {@code security.protocol}, {@code sasl.*},
     * {@code ssl.*}); the check connects with them, so a wrong setting fails here too. {@code bootstrap.servers}
     * among them is ignored.
     */
    public KafkaPreflight withClientProperties(Map<String, ?> properties) {
        Map<String, Object> copy = new LinkedHashMap<>(Objects.requireNonNull(properties, "properties"));
        copy.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return new KafkaPreflight(bootstrapServers, Map.copyOf(copy), timeout, fix);
    }

    /** The longest the whole check may take (default {@link #DEFAULT_TIMEOUT}); must be positive. */
    public KafkaPreflight withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, fix);
    }

    /** The flag(s) named in failure messages (default {@link #DEFAULT_FIX}), e.g. for a tool with other options. */
    public KafkaPreflight withFix(String fix) {
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, Objects.requireNonNull(fix, "fix"));
    }

    /** Checks that the cluster answers; no topics. */
    public Result check() {
        return check(List.of(), List.of());
    }

    /**
     * Checks that the cluster answers, that every input topic exists, and that every output topic exists or will
     * be created by the broker on first write ({@code auto.create.topics.enable}). Throws
     * {@link KafkaUnavailableException} otherwise, naming the servers, the missing topics and what to do.
     */
    public Result check(Collection<String> inputTopics, Collection<String> outputTopics) {
        Set<String> inputs = new LinkedHashSet<>(inputTopics);
        Set<String> outputs = new LinkedHashSet<>(outputTopics);
        outputs.removeAll(inputs);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (QuietClientLogs quiet = QuietClientLogs.networkClient()) {
            Admin admin;
            try {
                admin = Admin.create(adminProperties());
            } catch (RuntimeException e) { // e.g. no resolvable bootstrap address, a bad client setting
                throw new KafkaUnavailableException("cannot connect to Kafka at " + bootstrapServers + ": "
                        + e.getMessage() + settingsNote() + ". Set " + fix + ".", e);
            }
            try {
                return check(admin, inputs, outputs, deadline);
            } finally {
                admin.close(Duration.ZERO);
            }
        }
    }

    private Result check(Admin admin, Set<String> inputs, Set<String> outputs, long deadline) {
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = await(cluster.nodes(), deadline, "did not answer");
        String clusterId = await(cluster.clusterId(), deadline, "did not answer");

        Set<String> all = new LinkedHashSet<>(inputs);
        all.addAll(outputs);
        Map<String, Integer> partitions = new LinkedHashMap<>();
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(all).topicNameValues()
                .entrySet()) {
            try {
                partitions.put(topic.getKey(), await(topic.getValue(), deadline, "did not describe topic "
                        + topic.getKey()).partitions().size());
            } catch (KafkaUnavailableException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic.getKey());
                } else {
                    throw e;
                }
            }
        }
        Set<String> missingInputs = new TreeSet<>(missing);
        missingInputs.retainAll(inputs);
        Set<String> missingOutputs = new TreeSet<>(missing);
        missingOutputs.retainAll(outputs);
        if (!missingOutputs.isEmpty() && autoCreatesTopics(admin, nodes, deadline)) {
            missingOutputs.clear(); // the sink's first write creates them
        }
        if (!missingInputs.isEmpty() || !missingOutputs.isEmpty()) {
            Set<String> names = new TreeSet<>(missingInputs);
            names.addAll(missingOutputs);
            throw new KafkaUnavailableException((names.size() == 1 ? "topic " : "topics ") + String.join(", ", names)
                    + (names.size() == 1 ? " does" : " do") + " not exist on Kafka at " + bootstrapServers
                    + (missingInputs.isEmpty() ? "" : " (input: " + String.join(", ", missingInputs) + ")")
                    + ". Create " + (names.size() == 1 ? "it" : "them") + ": `alphaflow kafka` runs a local broker"
                    + " with the standard topics; on another cluster use kafka-topics.sh --create (or enable"
                    + " auto.create.topics.enable on the broker for outputs); or name other topics with the --*-topic"
                    + " options, or another cluster with " + fix + ".", null);
        }
        return new Result(bootstrapServers, clusterId, nodes.size(), partitions);
    }

    private boolean autoCreatesTopics(Admin admin, Collection<Node> nodes, long deadline) {
        if (nodes.isEmpty()) {
            return false;
        }
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                Integer.toString(nodes.iterator().next().id()));
        try {
            Config config = await(admin.describeConfigs(List.of(broker)).values().get(broker), deadline,
                    "did not describe its configuration");
            ConfigEntry entry = config.get("auto.create.topics.enable");
            return entry != null && Boolean.parseBoolean(entry.value());
        } catch (KafkaUnavailableException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return false; // cannot tell: treat the outputs as required
            }
            throw e;
        }
    }

    private <T> T await(KafkaFuture<T> future, long deadline, String failure) {
        long remainingNanos = deadline - System.nanoTime();
        try {
            return future.get(Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " " + failure + " within "
                    + seconds(timeout) + settingsNote() + ". Start a local broker with `alphaflow kafka`, or set "
                    + fix + ".", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String what = cause instanceof AuthenticationException ? "refused the client's credentials"
                    : cause instanceof AuthorizationException ? "denied access" : failure;
            String hint = cause instanceof AuthenticationException || cause instanceof AuthorizationException
                    ? " Check the client settings (alphaflow.kafka.properties.*: security.protocol, sasl.*, ssl.*)."
                    : " Set " + fix + ".";
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " " + what + ": "
                    + cause.getMessage() + settingsNote() + "." + hint, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while checking Kafka at " + bootstrapServers, e);
        }
    }

    private Map<String, Object> adminProperties() {
        int timeoutMs = (int) Math.max(1, timeout.toMillis());
        Map<String, Object> p = new LinkedHashMap<>(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "alphaflow-preflight");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        // A few connection attempts in the window rather than one every 50 ms.
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 500);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 500);
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 2000);
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5000));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, timeoutMs);
        return p;
    }

    // Which non-default client settings were in force (values only where they cannot be secrets).
    private String settingsNote() {
        if (clientProperties.isEmpty()) {
            return "";
        }
        List<String> shown = new ArrayList<>();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(clientProperties).entrySet()) {
            boolean safe = e.getKey().equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                    || e.getKey().equals("sasl.mechanism");
            shown.add(safe ? e.getKey() + "=" + e.getValue() : e.getKey());
        }
        return " (client settings: " + String.join(", ", shown) + ")";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** What the check found: the cluster and the partition count of each topic that exists. */
    public record Result(String bootstrapServers, String clusterId, int brokers, Map<String, Integer> topicPartitions) {
        public Result {
            topicPartitions = Map.copyOf(topicPartitions);
        }

        /** Partitions of {@code topic}, or 0 if it does not exist (yet). */
        public int partitions(String topic) {
            return topicPartitions.getOrDefault(topic, 0);
        }
    }

    /** Kafka cannot be used as configured; the message says what to fix. */
    public static final class KafkaUnavailableException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        KafkaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
