package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.broker.KafkaBroker;
import dev.alphaflow.jobs.broker.KafkaBrokerConfig;

/**
 * {@code java -jar alphaflow.jar kafka} as users run it: a broker process that survives restarts with its data.
 * Each run has a working directory of its own under the test's folder, with its temp folder ({@code jvm-tmp}) and
 * its stdout and stderr (apart: what the command prints is told from what it reports) inside.
 */
class KafkaCommandITCase {
    /** The line a script waits for, {@code KafkaCommand.READY_PREFIX} + the bootstrap servers: part of the CLI. */
    private static final String READY_PREFIX = "Kafka ready at ";
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration STOP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final List<JarProcess> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (JarProcess p : processes) {
            p.close();
        }
    }

    @Test
    void brokerKeepsTransactionalRecordsAndOffsetsAcrossARestartAndStopsCleanly() throws Exception {
        Set<String> tmpBefore = listing(tmp.getParent());
        int[] ports = freePorts(2);
        Path dataDir = tmp.resolve("kafka-data");
        String[] args = {"kafka", "--port", "" + ports[0], "--controller-port", "" + ports[1], "--data-dir",
            dataDir.toString(), "--partitions", "3"};
        String bootstrap = "127.0.0.1:" + ports[0];

        JarProcess first = start(tmp.resolve("run1"), args);
        first.awaitLine(l -> l.equals(READY_PREFIX + bootstrap), START);
        // started from a shell's background job, a process inherits SIGINT ignored: the broker then says how to
        // stop it with SIGTERM instead
        first.awaitLine(l -> l.contains("Ctrl-C to stop") || l.contains("Stop with SIGTERM"), Duration.ofSeconds(10));
        assertThat(first.outputLines()).hasSizeLessThanOrEqualTo(6)
                .anySatisfy(l -> assertThat(l).contains(dataDir.toString(), "(new)"));
        assertThat(Files.readString(dataDir.resolve("broker.log"))).contains("Kafka Server started");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, TopicDescription> topics = admin.describeTopics(KafkaBroker.STANDARD_TOPICS).allTopicNames().get();
            assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(KafkaBroker.STANDARD_TOPICS);
            // --partitions applies to the data topics; the schema store is one compacted partition by design.
            assertThat(topics.values()).filteredOn(t -> !t.name().equals(KafkaDefaults.SCHEMAS_TOPIC))
                    .hasSize(KafkaBroker.STANDARD_TOPICS.size() - 1)
                    .allSatisfy(t -> assertThat(t.partitions()).hasSize(3));
            assertThat(topics.get(KafkaDefaults.SCHEMAS_TOPIC).partitions()).hasSize(1);
            ConfigResource schemas = new ConfigResource(ConfigResource.Type.TOPIC, KafkaDefaults.SCHEMAS_TOPIC);
            assertThat(admin.describeConfigs(List.of(schemas)).all().get().get(schemas).get("cleanup.policy").value())
                    .isEqualTo("compact");
            ConfigResource frames = new ConfigResource(ConfigResource.Type.TOPIC, KafkaDefaults.FRAMES_TOPIC);
            Config config = admin.describeConfigs(List.of(frames)).all().get().get(frames);
            assertThat(Integer.parseInt(config.get("max.message.bytes").value()))
                    .isGreaterThan(KafkaDefaults.MAX_RECORD_BYTES);
        }

        // A frame-sized record in a transaction, as the exactly-once tools and sinks write them.
        byte[] value = new byte[KafkaDefaults.MAX_RECORD_BYTES - 64 * 1024];
        Arrays.fill(value, (byte) 7);
        value[0] = 42;
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(bootstrap)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(KafkaDefaults.FRAMES_TOPIC, 0, "cam-1".getBytes(), value)).get();
            producer.commitTransaction();
        }
        TopicPartition partition = new TopicPartition(KafkaDefaults.FRAMES_TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(bootstrap)) {
            ConsumerRecord<byte[], byte[]> record = pollOne(consumer, partition);
            assertThat(record.value()).isEqualTo(value);
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
        }

        assertThat(first.terminate(STOP)).as("exit code after SIGTERM; stderr:\n%s", first.stderr()).isZero();
        assertThat(ProcessHandle.of(first.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(first.outputLines()).as("stderr:\n%s", first.stderr()).last().asString().contains("Kafka stopped");
        assertThat(first.stderr()).doesNotContain("WARN", "ERROR", "Exception");
        assertThat(Files.readString(dataDir.resolve("broker.log"))).contains("controlled shutdown");

        JarProcess second = start(tmp.resolve("run2"), args);
        second.awaitLine(l -> l.equals(READY_PREFIX + bootstrap), START);
        second.awaitLine(l -> l.contains(dataDir.toString()) && l.contains("(reused)"), Duration.ofSeconds(10));
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(bootstrap)) {
            assertThat(pollOne(consumer, partition).value()).isEqualTo(value);
            OffsetAndMetadata committed = consumer.committed(Set.of(partition)).get(partition);
            assertThat(committed).isNotNull();
            assertThat(committed.offset()).isEqualTo(1); // the record at 0; the transaction's commit marker is at 1
        }
        assertThat(second.terminate(STOP)).as("exit code after SIGTERM; stderr:\n%s", second.stderr()).isZero();

        // Everything the processes wrote is in this test's folder; nothing new beside it.
        assertThat(listing(tmp.getParent())).isEqualTo(tmpBefore);
        assertThat(Files.list(tmp.resolve("run1").resolve("jvm-tmp")).count()).isZero();
    }

    @Test
    void takenPortFailsAtOnceNamingThePortAndTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            JarProcess p = start(tmp.resolve("run"), "kafka", "--port", "" + port, "--controller-port",
                    "" + freePorts(1)[0], "--data-dir", tmp.resolve("data").toString());
            assertThat(p.waitFor(START)).isEqualTo(1);
            assertThat(p.stderr()).contains("127.0.0.1:" + port, "already in use", "--port");
        }
    }

    private JarProcess start(Path workDir, String... args) throws IOException {
        Files.createDirectories(workDir);
        JarProcess p = JarProcess.builder().workDir(workDir).tmpDir(workDir.resolve("jvm-tmp"))
                .log(workDir.resolve("stdout.txt")).stderr(workDir.resolve("stderr.txt")).args(args).start();
        processes.add(p);
        return p;
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-command-itcase");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaDefaults.MAX_RECORD_BYTES);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * KafkaDefaults.MAX_RECORD_BYTES);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-command-itcase");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaBrokerConfig.MAX_MESSAGE_BYTES);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static ConsumerRecord<byte[], byte[]> pollOne(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp) {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                return r;
            }
        }
        throw new AssertionError("no committed record in " + tp + " within 60 s");
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(s);
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> !f.equals(tmp)).map(f -> f.getFileName().toString())
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }
}
