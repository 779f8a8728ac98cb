package dev.alphaflow.jobs.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.broker.TopicCreation;

/**
 * A single-node Kafka cluster (one combined KRaft broker + controller) inside this JVM, for ITCases and the local
 * demo. It advertises {@code 127.0.0.1} on an ephemeral port and keeps its logs in a fresh folder under
 * {@code java.io.tmpdir}; {@link #close()} stops it and deletes that folder. Starting takes about two seconds.
 *
 * <p>The broker is configured for one node (replication factor 1 for the internal topics, no initial rebalance
 * delay) and for frame-sized records ({@link KafkaDefaults#MAX_RECORD_BYTES}). Transactions work, so exactly-once
 * Flink sinks can write to it.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopics(4, "alphaflow.frames", "alphaflow.mattes");
 *     String bootstrap = kafka.bootstrapServers(); // "127.0.0.1:41234"
 * }
 * }</pre>
 *
 * <p>{@link #main} runs it as a child process: it prints {@code BOOTSTRAP_SERVERS=<address>} on stdout once ready
 * and stops when its stdin closes or it is terminated.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Broker-side limit on one record batch: a frame-sized record plus the batch header, with headroom. */
    public static final int BROKER_MAX_MESSAGE_BYTES = KafkaDefaults.MAX_RECORD_BYTES + 1024 * 1024;

    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    /** How long the controller waits for the broker's heartbeats before fencing it (see {@link Builder}). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaClusterTestKit cluster;
    private final Path baseDir;
    private final String bootstrapServers;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path baseDir, String bootstrapServers) {
        this.cluster = cluster;
        this.baseDir = baseDir;
        this.bootstrapServers = bootstrapServers;
        Map<String, Object> adminProps = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(adminProps);
    }

    /** Starts a broker with the default configuration. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The folder holding the broker's metadata and logs; deleted by {@link #close()}. */
    public Path dataDirectory() {
        return baseDir;
    }

    /**
     * Creates the topics that do not exist yet with the given number of partitions (replication factor 1) and waits
     * until each partition has a leader. Existing topics are left as they are, whatever their partition count.
     */
    public void createTopics(int partitions, String... names) {
        TopicCreation.createAndAwaitLeaders(admin, List.of(Objects.requireNonNull(names, "names")), partitions,
                Map.of(), TOPIC_READY_TIMEOUT);
    }

    /**
     * Waits until the broker's group coordinator serves requests. A fresh broker creates {@code __consumer_offsets}
     * on the first coordinator lookup and answers COORDINATOR_NOT_AVAILABLE until it is loaded; a client that does
     * not retry (the Kafka source's asynchronous offset commit on the first checkpoint) would fail with a WARN.
     * Asking for a group's offsets makes the admin client look the coordinator up and retry until it is ready.
     */
    private void awaitGroupCoordinator() {
        try {
            admin.listConsumerGroupOffsets("alphaflow-embedded-kafka-ready").partitionsToOffsetAndMetadata()
                    .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure("the embedded Kafka broker's group coordinator did not become ready", e);
        }
    }

    /** Stops the broker and deletes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        admin.close(Duration.ofSeconds(5));
        try {
            cluster.close();
        } catch (Exception e) {
            throw failure("cannot stop the embedded Kafka broker", e);
        } finally {
            deleteRecursively(baseDir);
        }
        LOG.info("Embedded Kafka at {} stopped", bootstrapServers);
    }

    /** Runs a broker until stdin closes or the process is terminated; see the class comment. */
    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "embedded-kafka-shutdown"));
        for (String topic : args) {
            kafka.createTopics(1, topic);
        }
        System.out.println("BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        kafka.close();
        stopped.countDown();
    }

    /** Broker settings beyond the defaults; see {@link EmbeddedKafka}. */
    public static final class Builder {
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {
            brokerProperties.put("offsets.topic.replication.factor", "1");
            // Few partitions for the internal topics: creating 50 of them costs most of a second.
            brokerProperties.put("offsets.topic.num.partitions", "4");
            brokerProperties.put("transaction.state.log.replication.factor", "1");
            brokerProperties.put("transaction.state.log.min.isr", "1");
            brokerProperties.put("transaction.state.log.num.partitions", "4");
            brokerProperties.put("group.initial.rebalance.delay.ms", "0");
            brokerProperties.put("message.max.bytes", Integer.toString(BROKER_MAX_MESSAGE_BYTES));
            brokerProperties.put("replica.fetch.max.bytes", Integer.toString(BROKER_MAX_MESSAGE_BYTES));
            brokerProperties.put("num.partitions", "1");
            brokerProperties.put("default.replication.factor", "1");
            brokerProperties.put("min.insync.replicas", "1");
            // The controller fences a broker whose heartbeats stop for the session timeout (9 s by default). Here
            // the broker is the only one and fencing it stops every produce and fetch; a disk that stalls the
            // controller's metadata fsync for a few seconds (seen on CI hosts) was enough to fence it mid-run. This
            // broker never restarts on the same data (each start formats a fresh folder), so a long session costs
            // nothing: a restarted broker with the same id would otherwise wait out the old session.
            brokerProperties.put("broker.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));
        }

        /** Sets (or overrides) one broker configuration entry, e.g. {@code transaction.max.timeout.ms}. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Formats a fresh data folder and starts the broker; returns once it accepts clients. */
        public EmbeddedKafka start() {
            long startNanos = System.nanoTime();
            Path baseDir;
            try {
                Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
                Files.createDirectories(tmp);
                baseDir = Files.createTempDirectory(tmp, "alphaflow-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a data folder for the embedded Kafka broker under "
                        + System.getProperty("java.io.tmpdir"), e);
            }
            KafkaClusterTestKit cluster = null;
            try {
                TestKitNodes nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(baseDir)
                        // The test kit defaults to the newest, unstable metadata version; run what a release runs.
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                        .build();
                KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
                // Advertise 127.0.0.1 rather than "localhost", which may resolve to ::1 first.
                builder.setConfigProp("listeners", String.format("%s://127.0.0.1:0,%s://127.0.0.1:0",
                        nodes.brokerListenerName().value(), nodes.controllerListenerName().value()));
                brokerProperties.forEach(builder::setConfigProp);
                cluster = builder.build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                String bootstrap = cluster.bootstrapServers().replace("localhost", "127.0.0.1");
                EmbeddedKafka kafka = new EmbeddedKafka(cluster, baseDir, bootstrap);
                kafka.awaitGroupCoordinator();
                LOG.info("Embedded Kafka started at {} in {} ms (data in {})", bootstrap,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), baseDir);
                return kafka;
            } catch (Exception e) {
                if (cluster != null) {
                    try {
                        cluster.close();
                    } catch (Exception closeFailure) {
                        e.addSuppressed(closeFailure);
                    }
                }
                deleteRecursively(baseDir);
                throw failure("cannot start the embedded Kafka broker", e);
            }
        }
    }

    private static RuntimeException failure(String message, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(message + ": " + e, e);
    }


    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete {} completely: {}", dir, e.toString());
        }
    }
}
