package dev.alphaflow.jobs.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import dev.alphaflow.jobs.KafkaDefaults;

/**
 * The settings every export tool ({@link Export}, {@link SegmentExport}, {@link InstancesExport}) has: the broker,
 * the frames topic, the output folder, the idle timeout, the streams to export, the video's frame rate and the Kafka
 * consumer overrides. Each tool's builder extends {@link Builder} and adds its own topic and options.
 */
public final class ExportSettings {
    private final String bootstrapServers;
    private final String framesTopic;
    private final Path outputDir;
    private final Duration idleTimeout;
    private final Set<String> streams;
    private final boolean video;
    private final Double fps;
    private final Map<String, String> consumerProperties;

    private ExportSettings(Builder<?> b) {
        this.bootstrapServers = b.bootstrapServers;
        this.framesTopic = b.framesTopic;
        this.outputDir = b.outputDir;
        this.idleTimeout = b.idleTimeout;
        this.streams = Set.copyOf(b.streams);
        this.video = b.video;
        this.fps = b.fps;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    String framesTopic() {
        return framesTopic;
    }

    Path outputDir() {
        return outputDir;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    /** The streams asked for; empty means every stream found. */
    Set<String> streams() {
        return streams;
    }

    /** Whether the video was asked for (each tool also needs its composites or overlays for one). */
    boolean video() {
        return video;
    }

    /** The video's frame rate: the one set, else {@code estimate}. */
    double fps(double estimate) {
        return fps != null ? fps : estimate;
    }

    boolean wanted(String streamId) {
        return streams.isEmpty() || streams.contains(streamId);
    }

    /** The folder of one stream's files. */
    Path streamDir(String streamId) {
        return outputDir.resolve(Export.directoryName(streamId));
    }

    /** The read_committed consumer settings of {@link TopicReader#consumerConfig}, with the overrides set. */
    Properties consumerConfig(String clientId) {
        return TopicReader.consumerConfig(bootstrapServers, clientId, consumerProperties);
    }

    /**
     * The setters the export builders share; {@code B} is the tool's own builder, so that the calls chain.
     * Defaults: frames topic {@value KafkaDefaults#FRAMES_TOPIC}, idle timeout 10 s, every stream, a video.
     */
    public abstract static class Builder<B extends Builder<B>> {
        private String bootstrapServers;
        private String framesTopic = KafkaDefaults.FRAMES_TOPIC;
        private Path outputDir;
        private Duration idleTimeout = Duration.ofSeconds(10);
        private Set<String> streams = Set.of();
        private boolean video = true;
        private Double fps;
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();

        Builder() {}

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Kafka {@code bootstrap.servers} (required). */
        public B bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            return self();
        }

        /** Topic with the original frames (default {@value KafkaDefaults#FRAMES_TOPIC}). */
        public B framesTopic(String topic) {
            this.framesTopic = Objects.requireNonNull(topic, "topic");
            return self();
        }

        /** Folder to write to (required); one sub-folder per stream. Existing files of the same names are replaced. */
        public B outputDir(Path outputDir) {
            this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
            return self();
        }

        /** Stop (reading a topic) when nothing new arrived for this long (default 10 s). */
        public B idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return self();
        }

        /** Export only these streams (default: every stream found). */
        public B streams(Collection<String> streamIds) {
            this.streams = Set.copyOf(Objects.requireNonNull(streamIds, "streamIds"));
            return self();
        }

        /** Write the tool's video, {@code composite.mp4} or {@code overlay.mp4} (default true). */
        public B video(boolean video) {
            this.video = video;
            return self();
        }

        /** Frame rate of the video (default: estimated from the records' event times, else 24). */
        public B fps(double fps) {
            this.fps = fps;
            return self();
        }

        /** Overrides one Kafka consumer setting, e.g. security settings. */
        public B consumerProperty(String key, String value) {
            consumerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return self();
        }

        /** Overrides Kafka consumer settings. */
        public B consumerProperties(Map<String, String> properties) {
            properties.forEach(this::consumerProperty);
            return self();
        }

        /** The frame rate set, or null; the tools check its range themselves (they allow different ones). */
        Double fps() {
            return fps;
        }

        String framesTopic() {
            return framesTopic;
        }

        /**
         * The shared settings, after checking the required ones and the idle timeout.
         *
         * @throws IllegalArgumentException when one is missing or out of range
         */
        ExportSettings settings() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required, e.g. bootstrapServers(\"127.0.0.1:9092\")");
            }
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required: call outputDir(Path)");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
            }
            return new ExportSettings(this);
        }
    }
}
