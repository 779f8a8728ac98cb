package dev.alphaflow.jobs.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kafka.server.KafkaConfig;

import dev.alphaflow.jobs.KafkaDefaults;

class KafkaBrokerConfigTest {

    @Test
    void defaultsAreASingleNodeOnLoopbackSizedForFrames() {
        KafkaBrokerConfig config = KafkaBrokerConfig.builder(Path.of("state", "kafka")).build();
        Map<String, String> p = config.serverProperties();

        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.controllerPort()).isEqualTo(9093);
        assertThat(config.dataDir()).isEqualTo(Path.of("state", "kafka").toAbsolutePath());
        assertThat(p).containsEntry("process.roles", "broker,controller")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:9093")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9092")
                .containsEntry("log.dirs", config.logDir().toString())
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("num.partitions", "2");
        assertThat(Integer.parseInt(p.get("message.max.bytes"))).isGreaterThan(KafkaDefaults.MAX_RECORD_BYTES);
        assertThat(p.get("replica.fetch.max.bytes")).isEqualTo(p.get("message.max.bytes"));
        assertThat(KafkaBrokerConfig.topicConfigs()).containsEntry("max.message.bytes", p.get("message.max.bytes"));
    }

    @Test
    void kafkaAcceptsTheGeneratedConfiguration() {
        KafkaBrokerConfig config = KafkaBrokerConfig.builder(Path.of("x")).port(19092).controllerPort(19999)
                .defaultPartitions(4).property("log.retention.hours", "24").build();
        KafkaConfig kafka = KafkaConfig.fromProps(config.toProperties(), false);
        assertThat(kafka.nodeId()).isEqualTo(1);
        assertThat(kafka.messageMaxBytes()).isEqualTo(KafkaBrokerConfig.MAX_MESSAGE_BYTES);
        assertThat(kafka.numPartitions()).isEqualTo(4);
        assertThat(config.serverProperties()).containsEntry("log.retention.hours", "24")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:19999");
    }

    @Test
    void securityMeansScramForClientsPlainForTheControllerAndAcls() {
        KafkaSecurity security = KafkaSecurity.of("admin", "s3cret").withUser("alice", "a", "read:topic:t");
        KafkaBrokerConfig config = KafkaBrokerConfig.builder(Path.of("x")).port(19092).security(security).build();
        Map<String, String> p = config.serverProperties();

        assertThat(config.clientListener()).isEqualTo("SASL_PLAINTEXT");
        assertThat(p).containsEntry("listeners", "SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093")
                .containsEntry("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:19092")
                .containsEntry("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .containsEntry("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .containsEntry("sasl.mechanism.controller.protocol", "PLAIN")
                .containsEntry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("super.users", "User:admin")
                .containsEntry("allow.everyone.if.no.acl.found", "false");
        assertThat(p.get("listener.name.controller.plain.sasl.jaas.config"))
                .contains("username=\"admin\"", "user_admin=\"s3cret\"");
        assertThat(config.adminClientProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        KafkaConfig kafka = KafkaConfig.fromProps(config.toProperties(), false);
        assertThat(kafka.saslMechanismInterBrokerProtocol()).isEqualTo("SCRAM-SHA-512");
    }

    @Test
    void badPortsAndPartitionsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> KafkaBrokerConfig.builder(Path.of("x")).port(0).build())
                .hasMessage("port must be in 1..65535: 0");
        assertThatThrownBy(() -> KafkaBrokerConfig.builder(Path.of("x")).port(65535).build())
                .hasMessage("controller port must be in 1..65535: 65536");
        assertThatThrownBy(() -> KafkaBrokerConfig.builder(Path.of("x")).port(5000).controllerPort(5000).build())
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> KafkaBrokerConfig.builder(Path.of("x")).defaultPartitions(0).build())
                .hasMessage("partitions must be positive: 0");
    }
}
