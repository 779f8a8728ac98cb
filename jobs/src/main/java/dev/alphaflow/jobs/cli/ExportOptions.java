package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.tools.ExportSettings;

/**
 * Flags every export command has ({@code @Mixin ExportOptions export;}): the output folder, the idle timeout and
 * consumer settings. Together with {@link KafkaOptions} they fill an export's {@link ExportSettings.Builder}.
 */
final class ExportOptions {

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "Output folder.")
    Path output;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Stop when nothing new arrived for this many seconds (default: ${DEFAULT-VALUE}).")
    double idleTimeoutSeconds;

    @Option(names = {"-X", "--consumer-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka consumer setting (repeatable).")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    /**
     * Sets the broker, the frames topic, the output folder, the idle timeout and the consumer properties on an
     * export's builder: {@code --kafka-config} and {@code --kafka-property} first, so that {@code -X} wins.
     */
    <B extends ExportSettings.Builder<B>> B applyTo(B builder, KafkaOptions kafka) {
        return builder.bootstrapServers(kafka.bootstrapServers())
                .framesTopic(kafka.framesTopic())
                .outputDir(output)
                .idleTimeout(Duration.ofMillis(Math.round(idleTimeoutSeconds * 1000)))
                .consumerProperties(kafka.clientProperties())
                .consumerProperties(consumerProperties);
    }

    /** Runs an export builder's {@code build()}, reporting what it rejects as a usage error of the command. */
    static <T> T build(CommandSpec spec, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
