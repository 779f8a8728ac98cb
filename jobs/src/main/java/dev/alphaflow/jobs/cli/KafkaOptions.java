package dev.alphaflow.jobs.cli;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.KafkaDefaults;

/** Broker and topic options shared by every subcommand ({@code @Mixin KafkaOptions kafka;}). */
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
}
