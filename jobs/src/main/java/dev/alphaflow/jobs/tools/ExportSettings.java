package dev.alphaflow.jobs.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.serde.AvroCodec;

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
    private final String deadLettersTopic;
    private final Path truthRoot;
    private final Map<String, Path> truthFolders;

    private ExportSettings(Builder<?> b) {
        this.bootstrapServers = b.bootstrapServers;
        this.framesTopic = b.framesTopic;
        this.outputDir = b.outputDir;
        this.idleTimeout = b.idleTimeout;
        this.streams = Set.copyOf(b.streams);
        this.video = b.video;
        this.fps = b.fps;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
        this.deadLettersTopic = b.deadLettersTopic;
        this.truthRoot = b.truthRoot;
        this.truthFolders = Map.copyOf(b.truthFolders);
    }

    /**
     * The truth folder of a stream: the one set for it, else its sub-folder of the truth root named like the stream
     * (as {@code davis-eval} matches sequences); null when there is neither.
     */
    Path truthFolder(String streamId) {
        if (truthFolders.containsKey(streamId)) {
            return truthFolders.get(streamId);
        }
        if (truthRoot == null) {
            return null;
        }
        Path dir = truthRoot.resolve(Export.directoryName(streamId));
        return Files.isDirectory(dir) ? dir : null;
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
        return streams.isEmpty() || (streamId != null && streams.contains(streamId));
    }

    /**
     * The dead letters of the exported streams (all of them when no stream was named) by reason, read to the end found
     * now so that the count is that of the run just exported; null when no dead-letter topic was set. The topic is
     * shared by every job, so this counts what any job rejected for those streams.
     */
    Map<String, Long> deadLettersByReason(String clientId, TopicReader.Undecodable undecodable) {
        if (deadLettersTopic == null) {
            return null;
        }
        Map<String, Long> byReason = new TreeMap<>();
        TopicReader.readToEnd(consumerConfig(clientId), deadLettersTopic, idleTimeout, AvroCodec.of(DeadLetter.class),
                undecodable, dl -> {
                    if (wanted(dl.getStreamId())) {
                        byReason.merge(dl.getReason().name(), 1L, Long::sum);
                    }
                });
        return byReason;
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
        private String deadLettersTopic;
        private Path truthRoot;
        private final Map<String, Path> truthFolders = new LinkedHashMap<>();

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

        /**
         * Also count the exported streams' dead letters in this topic, by reason, into the summary (default: not
         * read). The topic must exist.
         */
        public B deadLettersTopic(String topic) {
            this.deadLettersTopic = Objects.requireNonNull(topic, "topic");
            return self();
        }

        /**
         * Score each stream against the DAVIS-style annotations in {@code root}'s sub-folder of the stream's name
         * ({@code <root>/<stream>/<frame>.png}), into the summary (default: not scored). Streams without a folder there
         * are not scored.
         */
        public B truthRoot(Path root) {
            this.truthRoot = Objects.requireNonNull(root, "root");
            return self();
        }

        /** Score one stream against the annotations in {@code folder} ({@code <frame>.png}); wins over the truth root. */
        public B truthFolder(String streamId, Path folder) {
            truthFolders.put(Objects.requireNonNull(streamId, "streamId"), Objects.requireNonNull(folder, "folder"));
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
            if (truthRoot != null && !Files.isDirectory(truthRoot)) {
                throw new IllegalArgumentException("the truth folder " + truthRoot + " does not exist (it holds one "
                        + "folder of <frame>.png annotations per stream)");
            }
            truthFolders.forEach((id, dir) -> {
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("the truth folder of " + id + ", " + dir + ", does not exist");
                }
            });
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
            }
            return new ExportSettings(this);
        }
    }
}
