package dev.alphaflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.testutils.LogCapture;

/** {@link KafkaPreflight} against a real KRaft broker, and against a port where nothing listens. */
class KafkaPreflightITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(3, "preflight.in");
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void reachableClusterWithItsTopicsPasses() {
        KafkaPreflight.Result result = KafkaPreflight.forServers(kafka.bootstrapServers())
                // the broker auto-creates topics (its default), so a missing output is fine
                .check(List.of("preflight.in"), List.of("preflight.out-not-yet"));
        assertThat(result.brokers()).isEqualTo(1);
        assertThat(result.clusterId()).isNotBlank();
        assertThat(result.partitions("preflight.in")).isEqualTo(3);
        assertThat(result.partitions("preflight.out-not-yet")).isZero();
    }

    @Test
    void missingInputTopicIsNamedWithHowToCreateIt() {
        assertThatThrownBy(() -> KafkaPreflight.forServers(kafka.bootstrapServers())
                .check(List.of("preflight.in", "preflight.absent"), List.of()))
                .isInstanceOf(KafkaPreflight.KafkaUnavailableException.class)
                .hasMessageContaining("topic preflight.absent does not exist on Kafka at " + kafka.bootstrapServers())
                .hasMessageContaining("`alphaflow kafka`")
                .hasMessageContaining("kafka-topics.sh --create")
                .hasMessageNotContaining("preflight.in,");
    }

    @Test
    void missingOutputTopicFailsWhenTheBrokerDoesNotAutoCreate() {
        try (EmbeddedKafka strict = EmbeddedKafka.builder().brokerProperty("auto.create.topics.enable", "false")
                .start()) {
            assertThatThrownBy(() -> KafkaPreflight.forServers(strict.bootstrapServers())
                    .check(List.of(), List.of("preflight.out")))
                    .hasMessageContaining("topic preflight.out does not exist")
                    .hasMessageContaining("auto.create.topics.enable");
        }
    }

    @Test
    void closedPortFailsWithinTheTimeNamingTheServersAndTheFlagsWithoutAWarningFlood() throws IOException {
        String servers = "127.0.0.1:" + closedPort();
        Throwable failure;
        long startNanos = System.nanoTime();
        try (LogCapture logs = LogCapture.open()) {
            failure = catchThrowable(() -> KafkaPreflight.forServers(servers).check(List.of("alphaflow.frames"),
                    List.of()));
            assertThat(logs.events()).as("log lines during the check").hasSizeLessThanOrEqualTo(1);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);

        assertThat(took).isLessThan(Duration.ofSeconds(15)).isGreaterThanOrEqualTo(Duration.ofSeconds(9));
        assertThat(failure).isInstanceOf(KafkaPreflight.KafkaUnavailableException.class)
                .hasMessageContaining("Kafka at " + servers + " did not answer within 10 s")
                .hasMessageContaining("--bootstrap-servers")
                .hasMessageContaining("-D alphaflow.kafka.bootstrap-servers")
                .hasMessageContaining("alphaflow kafka");
    }

    @Test
    void clientPropertiesAreUsedAndNamedButNotTheirSecrets() {
        // A TLS client against the plaintext listener never gets an answer.
        Throwable failure = catchThrowable(() -> KafkaPreflight.forServers(kafka.bootstrapServers())
                .withClientProperties(Map.of("security.protocol", "SSL", "ssl.key.password", "hunter2"))
                .withTimeout(Duration.ofSeconds(4))
                .check());
        assertThat(failure).isInstanceOf(KafkaPreflight.KafkaUnavailableException.class)
                .hasMessageContaining(kafka.bootstrapServers())
                .hasMessageContaining("security.protocol=SSL")
                .hasMessageContaining("ssl.key.password")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void unresolvableHostFailsAtOnce() {
        long startNanos = System.nanoTime();
        assertThatThrownBy(() -> KafkaPreflight.forServers("no-such-host.invalid:9092").check())
                .hasMessageContaining("no-such-host.invalid:9092")
                .hasMessageContaining("--bootstrap-servers");
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(15));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
