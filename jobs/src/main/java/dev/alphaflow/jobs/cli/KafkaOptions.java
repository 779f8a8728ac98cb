package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.KafkaPreflight;

/**
 * Broker, topic and Kafka client options shared by every subcommand ({@code @Mixin KafkaOptions kafka;}). Client
 * properties ({@code --kafka-config}, {@code --kafka-property}) reach every producer, consumer and admin client the
 * command creates, and the jobs' clients as {@code alphaflow.kafka.properties.*}.
 */
public final class KafkaOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            defaultValue = "${env:ALPHAFLOW_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: $ALPHAFLOW_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--frames-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.FRAMES_TOPIC,
            description = "Topic of encoded frames (default: ${DEFAULT-VALUE}).")
    String framesTopic;

    @Option(names = "--mattes-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.MATTES_TOPIC,
            description = "Topic of alpha mattes (default: ${DEFAULT-VALUE}).")
    String mattesTopic;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.DLQ_TOPIC,
            description = "Dead-letter topic for rejected input (default: ${DEFAULT-VALUE}).")
    String dlqTopic;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties file (e.g. security.protocol, sasl.mechanism, sasl.jaas.config) "
                    + "for every producer, consumer and admin client.")
    Path kafkaConfig;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client property for every client (repeatable; overrides --kafka-config).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String framesTopic() {
        return framesTopic;
    }

    public String mattesTopic() {
        return mattesTopic;
    }

    public String dlqTopic() {
        return dlqTopic;
    }

    /** The client properties from {@code --kafka-config} and {@code --kafka-property}, in that order. */
    public Map<String, String> clientProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        if (kafkaConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(kafkaConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-config " + kafkaConfig + ": cannot read: " + e.getMessage(), e);
            }
            file.stringPropertyNames().forEach(k -> out.put(k, file.getProperty(k)));
        }
        out.putAll(kafkaProperties);
        return out;
    }

    /**
     * Checks within seconds that Kafka answers at {@link #bootstrapServers} and that the topics exist (outputs may
     * be auto-created), failing with a message that names the servers and {@code --bootstrap-servers}.
     */
    void preflight(List<String> inputTopics, List<String> outputTopics) {
        preflight(preflightCheck(), inputTopics, outputTopics);
    }

    /**
     * Like {@link #preflight(List, List)} with a check set up further, e.g. with the consumer group and transactional
     * ids a job uses ({@link #preflightCheck()} is where to start): on a secured cluster, missing ACLs fail here.
     */
    void preflight(KafkaPreflight check, List<String> inputTopics, List<String> outputTopics) {
        try {
            check.check(inputTopics, outputTopics);
        } catch (KafkaPreflight.KafkaUnavailableException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
    }

    /** The check of {@link #bootstrapServers} with {@link #clientProperties()}. */
    KafkaPreflight preflightCheck() {
        return KafkaPreflight.forServers(bootstrapServers).withClientProperties(clientProperties());
    }

    /** Sets the servers, the frames and dead-letter topics and the client properties as the jobs' options. */
    void applyTo(Configuration conf) {
        conf.set(CommonOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        conf.set(CommonOptions.FRAMES_TOPIC, framesTopic);
        conf.set(CommonOptions.DEAD_LETTER_TOPIC, dlqTopic);
        clientProperties().forEach((k, v) -> conf.set(
                ConfigOptions.key(CommonOptions.KAFKA_PROPERTIES_PREFIX + k).stringType().noDefaultValue(), v));
    }

    /** A copy for an embedded broker: its servers, the default topics, no client properties. */
    static KafkaOptions embedded(String bootstrapServers) {
        KafkaOptions k = new KafkaOptions();
        k.bootstrapServers = bootstrapServers;
        k.framesTopic = KafkaDefaults.FRAMES_TOPIC;
        k.mattesTopic = KafkaDefaults.MATTES_TOPIC;
        k.dlqTopic = KafkaDefaults.DLQ_TOPIC;
        return k;
    }
}
