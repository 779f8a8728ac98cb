package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.KafkaPreflight;
import dev.alphaflow.jobs.broker.KafkaBroker;
import dev.alphaflow.jobs.broker.KafkaBrokerConfig;
import dev.alphaflow.jobs.broker.KafkaSecurity;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.testutils.SharedData;

/**
 * The commands against a broker secured with SASL/SCRAM-SHA-512 and ACLs ({@code alphaflow kafka --security}'s
 * broker, in this JVM): each user holds only the ACLs its command needs; a wrong password and a missing ACL fail at
 * start, with what to fix, before anything is written.
 */
class SecuredKafkaITCase {
    private static final String FRAMES = KafkaDefaults.FRAMES_TOPIC;
    private static final String MATTES = KafkaDefaults.MATTES_TOPIC;
    private static final String DLQ = KafkaDefaults.DLQ_TOPIC;
    private static final String GROUP = MattingJob.IDENTITY.defaultGroupId();

    private static final KafkaSecurity SECURITY = KafkaSecurity.of("admin", "admin-secret")
            // a producer writes frames and registers their schema
            .withUser("camera", "camera-secret", "write:topic:" + FRAMES, "write:topic:" + KafkaDefaults.SCHEMAS_TOPIC)
            // what `alphaflow run` needs: the job's ACLs, and READ on its outputs to count what it wrote
            .withUser("matting", "matting \"secret\"", "read:topic:" + FRAMES, "write:topic:" + MATTES,
                    "write:topic:" + DLQ, "read:topic:" + MATTES, "read:topic:" + DLQ, "read:group:" + GROUP,
                    "write:transactional-id:" + GROUP + "*")
            .withUser("viewer", "viewer-secret", "read:topic:" + MATTES, "read:topic:" + FRAMES)
            // the matting user's grants but WRITE on the mattes topic
            .withUser("nomattes", "nomattes-secret", "read:topic:" + FRAMES, "write:topic:" + DLQ,
                    "read:topic:" + MATTES, "read:topic:" + DLQ, "read:group:" + GROUP,
                    "write:transactional-id:" + GROUP + "*")
            // topics only: no group, no transactional ids
            .withUser("topicsonly", "topicsonly-secret", "read:topic:" + FRAMES, "write:topic:" + MATTES,
                    "write:topic:" + DLQ);

    @TempDir
    static Path dir;

    private static KafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startSecuredBroker() throws IOException {
        int port = freePort();
        int controllerPort = freePort();
        KafkaBrokerConfig config = KafkaBrokerConfig.builder(dir.resolve("kafka")).port(port)
                .controllerPort(controllerPort).defaultPartitions(1).security(SECURITY).build();
        broker = KafkaBroker.start(config);
        broker.createTopics(KafkaBroker.STANDARD_TOPICS, 1);
        Map<String, Object> adminConfig = new HashMap<>(config.adminClientProperties());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        admin = Admin.create(adminConfig);
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theRightCredentialsWorkEndToEnd() throws Exception {
        Path out = dir.resolve("e2e-mattes");
        Run replay = cli("replay", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("camera").toString(), "--fast", "--max-frames", "3", "--stream-id", "e2e",
                "--no-progress", SharedData.danceTwirlMp4().toString());
        assertThat(replay.code()).as(replay::err).isZero();

        Run job = cli("run", "--bounded", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("matting").toString(), "--model-dir", SharedData.dir().resolve("models").toString(),
                "--checkpoint-dir", dir.resolve("e2e-checkpoints").toString(), "--checkpoint-interval", "1");
        assertThat(job.code()).as(job::err).isZero();

        Run export = cli("export", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("viewer").toString(), "-o", out.toString(), "--stream", "e2e", "--no-video",
                "--no-progress", "--idle-timeout", "60");
        assertThat(export.code()).as(export::err).isZero();
        try (Stream<Path> alphas = Files.list(out.resolve("e2e").resolve("alpha"))) {
            assertThat(alphas.filter(p -> p.toString().endsWith(".png"))).hasSize(3);
        }
    }

    @Test
    void aWrongPasswordFailsAtStartNamingTheSettingAndWritesNothing() throws Exception {
        Map<TopicPartition, Long> before = endOffsets(FRAMES, MATTES, DLQ);
        Map<TopicPartition, OffsetAndMetadata> groupBefore = committed(GROUP);
        String wrongLogin = "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"matting\" password=\"not-the-password\";";

        long start = System.nanoTime();
        Run replay = cli("replay", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("camera").toString(), "--kafka-property", wrongLogin.replace("matting", "camera"),
                "--fast", "--max-frames", "2", "--no-progress", SharedData.danceTwirlMp4().toString());
        Run job = cli("run", "--bounded", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("matting").toString(), "--kafka-property", wrongLogin, "--model-dir",
                SharedData.dir().resolve("models").toString(), "--checkpoint-dir",
                dir.resolve("wrong-password-checkpoints").toString());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

        assertThat(replay.code()).as(replay::out).isEqualTo(1);
        assertThat(replay.err()).contains("refused the login of user camera", "sasl.jaas.config", "--kafka-config",
                "--kafka-property").doesNotContain("not-the-password");
        assertThat(job.code()).as(job::out).isEqualTo(1);
        assertThat(job.err()).contains("refused the login of user matting", "sasl.jaas.config", "--kafka-config",
                "alphaflow.kafka.properties.sasl.jaas.config").doesNotContain("not-the-password");
        assertThat(seconds).as("both failures, model check included").isLessThan(60);
        assertThat(endOffsets(FRAMES, MATTES, DLQ)).as("end offsets of every topic").isEqualTo(before);
        assertThat(committed(GROUP)).as("the job's committed offsets").isEqualTo(groupBefore);
        assertThat(Files.exists(dir.resolve("wrong-password-checkpoints"))).as("checkpoint folder").isFalse();
    }

    @Test
    void aPrincipalWithoutWriteOnTheOutputIsRefusedAtStartNamingTopicAndAcl() throws Exception {
        Run replay = cli("replay", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("camera").toString(), "--fast", "--max-frames", "2", "--stream-id", "refused",
                "--no-progress", SharedData.danceTwirlMp4().toString());
        assertThat(replay.code()).as(replay::err).isZero();
        Map<TopicPartition, Long> before = endOffsets(FRAMES, MATTES, DLQ);
        Map<TopicPartition, OffsetAndMetadata> groupBefore = committed(GROUP);

        Run job = cli("run", "--bounded", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                clientConfig("nomattes").toString(), "--model-dir", SharedData.dir().resolve("models").toString(),
                "--checkpoint-dir", dir.resolve("refused-checkpoints").toString());

        assertThat(job.code()).as(job::out).isEqualTo(1);
        assertThat(job.err()).contains("does not allow User:nomattes", "WRITE on topic " + MATTES,
                "--allow-principal User:nomattes --operation Write --topic " + MATTES,
                "allow.nomattes=write:topic:" + MATTES, "nothing was read or written")
                .doesNotContain("topic " + DLQ + " (", "group " + GROUP);
        assertThat(endOffsets(FRAMES, MATTES, DLQ)).as("end offsets of every topic").isEqualTo(before);
        assertThat(committed(GROUP)).as("the job's committed offsets").isEqualTo(groupBefore);
        assertThat(Files.exists(dir.resolve("refused-checkpoints"))).as("checkpoint folder").isFalse();
    }

    @Test
    void missingGroupAndTransactionalIdAclsAreNamed() {
        assertThatThrownBy(() -> KafkaPreflight.forServers(broker.bootstrapServers())
                .withClientProperties(SECURITY.clientProperties("topicsonly"))
                .withConsumerGroup(GROUP).withTransactionalIdPrefix(GROUP)
                .check(List.of(FRAMES), List.of(MATTES, DLQ)))
                .isInstanceOfSatisfying(KafkaPreflight.KafkaAccessDeniedException.class, e -> assertThat(e.missing())
                        .containsExactly(
                                new KafkaPreflight.Grant(AclOperation.READ, ResourceType.GROUP, GROUP,
                                        PatternType.LITERAL, "the consumer group"),
                                new KafkaPreflight.Grant(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, GROUP,
                                        PatternType.PREFIXED, "the exactly-once sinks' transactions")))
                .hasMessageContaining("--operation Read --group " + GROUP)
                .hasMessageContaining("--operation Write --transactional-id " + GROUP
                        + " --resource-pattern-type prefixed");

        // the user with every grant passes the same check
        KafkaPreflight.Result ok = KafkaPreflight.forServers(broker.bootstrapServers())
                .withClientProperties(SECURITY.clientProperties("matting"))
                .withConsumerGroup(GROUP).withTransactionalIdPrefix(GROUP)
                .check(List.of(FRAMES), List.of(MATTES, DLQ));
        assertThat(ok.partitions(MATTES)).isEqualTo(1);
    }

    private record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = AlphaflowCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    // A --kafka-config file for one user, as a user writes it.
    private static Path clientConfig(String user) throws IOException {
        Path file = dir.resolve(user + ".properties");
        Properties p = new Properties();
        p.putAll(SECURITY.clientProperties(user));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "client settings of " + user);
        }
        return file;
    }

    private static Map<TopicPartition, Long> endOffsets(String... topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(List.of(topics)).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                d.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
