package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;

/**
 * Writes the segments topic as DAVIS-format masks: per stream a folder of 8-bit indexed PNGs
 * {@code <out>/<stream>/<seq, 5 digits>.png} with the DAVIS palette, pixel value = object id, 0 = background — the
 * layout the DAVIS toolkit and {@code alphaflow davis-eval} read. With {@link Builder#overlays} (the builder's
 * default) also {@code <out>/<stream>/overlay/<seq, 6 digits>.png}: the frame from the frames topic with each object
 * tinted in its DAVIS palette colour and tagged with its label (or {@code object N}), and {@code overlay.mp4} of them.
 *
 * <p>Reads with {@code read_committed} from the beginning up to the end offsets found at start (so it finishes on a
 * topic that keeps growing), or until nothing arrives for the idle timeout; then the frames topic the same way for
 * the overlays. A (stream, seq) seen again (at-least-once delivery, a second run) overwrites the same file, so the
 * output holds each frame once.
 *
 * <pre>{@code
 * SegmentExport.Summary s = SegmentExport.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .outputDir(Path.of("masks"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class SegmentExport {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentExport.class);
    private static final double DEFAULT_FPS = 24.0;

    /**
     * What a run wrote: masks per stream id, records that were read again, and (when overlays were asked for) overlay
     * PNGs and videos per stream id.
     */
    public record Summary(Path outputDir, Map<String, Long> masksPerStream, long duplicates, long undecodable,
            Map<String, Long> overlaysPerStream, Map<String, Path> videos) {
        public Summary(Path outputDir, Map<String, Long> masksPerStream, long duplicates, long undecodable) {
            this(outputDir, masksPerStream, duplicates, undecodable, Map.of(), Map.of());
        }

        public long totalMasks() {
            return masksPerStream.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String bootstrapServers;
    private final String topic;
    private final String framesTopic;
    private final Path outputDir;
    private final Duration idleTimeout;
    private final Set<String> streams;
    private final boolean overlays;
    private final boolean video;
    private final Double fps;
    private final Map<String, String> consumerProperties;

    /** Masks only, no overlays: see {@link #builder()} for overlays and the video. */
    public SegmentExport(String bootstrapServers, String topic, Path outputDir, Duration idleTimeout,
            Set<String> streams, Map<String, String> consumerProperties) {
        this(builder().bootstrapServers(bootstrapServers).segmentsTopic(topic).outputDir(outputDir)
                .idleTimeout(idleTimeout).streams(streams).overlays(false).consumerProperties(consumerProperties));
    }

    private SegmentExport(Builder b) {
        this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers, "bootstrapServers");
        this.topic = b.segmentsTopic;
        this.framesTopic = b.framesTopic;
        this.outputDir = Objects.requireNonNull(b.outputDir, "outputDir");
        this.idleTimeout = b.idleTimeout;
        this.streams = Set.copyOf(b.streams);
        this.overlays = b.overlays;
        this.video = b.video && b.overlays;
        this.fps = b.fps;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Summary run() {
        AvroCodec<Segmentation> codec = AvroCodec.of(Segmentation.class);
        Map<String, TreeMap<Long, Segmentation>> written = new TreeMap<>();
        long[] duplicates = {0};
        long[] undecodable = {0};
        TopicReader.readToEnd(TopicReader.consumerConfig(bootstrapServers, "alphaflow-segment-export",
                consumerProperties), topic, idleTimeout, record -> {
                    Segmentation s;
                    try {
                        s = codec.decode(record.value());
                    } catch (AvroDecodeException e) {
                        skip(record, e, undecodable);
                        return;
                    }
                    if (!streams.isEmpty() && !streams.contains(s.getStreamId())) {
                        return;
                    }
                    // Kept (for the overlays) only when asked for; the last one read wins, as the file it overwrites.
                    TreeMap<Long, Segmentation> seqs = written.computeIfAbsent(s.getStreamId(), k -> new TreeMap<>());
                    if (seqs.containsKey(s.getSeq())) {
                        duplicates[0]++;
                    }
                    seqs.put(s.getSeq(), overlays ? s : null);
                    write(s);
                });
        Map<String, Long> counts = new TreeMap<>();
        written.forEach((id, seqs) -> counts.put(id, (long) seqs.size()));
        Map<String, Long> overlayCounts = new TreeMap<>();
        Map<String, Path> videos = new TreeMap<>();
        if (overlays && !written.isEmpty()) {
            writeOverlays(written, overlayCounts, undecodable);
            if (video) {
                for (Map.Entry<String, TreeMap<Long, Segmentation>> e : written.entrySet()) {
                    Path v = writeVideo(e.getKey(), e.getValue());
                    if (v != null) {
                        videos.put(e.getKey(), v);
                    }
                }
            }
        }
        return new Summary(outputDir, counts, duplicates[0], undecodable[0], overlayCounts, videos);
    }

    private static void skip(ConsumerRecord<?, ?> record, AvroDecodeException e, long[] undecodable) {
        if (undecodable[0]++ < 10) {
            LOG.warn("Skipping an undecodable record at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    private void writeOverlays(Map<String, TreeMap<Long, Segmentation>> written, Map<String, Long> counts,
            long[] undecodable) {
        AvroCodec<Frame> frameCodec = AvroCodec.of(Frame.class);
        Map<String, Set<Long>> done = new TreeMap<>();
        TopicReader.readToEnd(TopicReader.consumerConfig(bootstrapServers, "alphaflow-segment-export-frames",
                consumerProperties), framesTopic, idleTimeout, record -> {
                    Frame f;
                    try {
                        f = frameCodec.decode(record.value());
                    } catch (AvroDecodeException e) {
                        skip(record, e, undecodable);
                        return;
                    }
                    TreeMap<Long, Segmentation> mine = written.get(f.getStreamId());
                    Segmentation s = mine == null ? null : mine.get(f.getSeq());
                    if (s == null || !f.getPayload().hasRemaining()
                            || !done.computeIfAbsent(f.getStreamId(), k -> new HashSet<>()).add(f.getSeq())) {
                        return;
                    }
                    RgbImage drawn;
                    try {
                        drawn = Overlay.draw(InstancesExport.decode(f), layers(s));
                    } catch (ImageDecodeException | IllegalArgumentException e) {
                        LOG.warn("No overlay for {} seq {}: {}", f.getStreamId(), f.getSeq(), e.getMessage());
                        return;
                    }
                    Path file = overlayFile(f.getStreamId(), f.getSeq());
                    try {
                        Files.createDirectories(file.getParent());
                        Files.write(file, ImageCodec.encodeRgbPng(drawn));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + file, e);
                    }
                    counts.merge(f.getStreamId(), 1L, Long::sum);
                });
    }

    /** Each object's mask in its DAVIS colour, tagged with its label (or "object N"). */
    static List<Overlay.Layer> layers(Segmentation s) {
        List<Overlay.Layer> layers = new ArrayList<>();
        for (SegmentedObject o : s.getObjects()) {
            BinaryMask mask = InstancesExport.toRle(o.getMask()).decode();
            BoundingBox b = o.getBbox();
            Box box = b == null ? null : new Box(b.getX0(), b.getY0(), b.getX1(), b.getY1());
            String text = o.getLabel() != null ? o.getLabel() : "object " + o.getObjectId();
            layers.add(new Overlay.Layer(mask, Overlay.objectColour(o.getObjectId()), null,
                    mask.isEmpty() && box == null ? null : text));
        }
        return layers;
    }

    private Path writeVideo(String streamId, TreeMap<Long, Segmentation> frames) {
        List<Path> pngs = new ArrayList<>();
        for (Long seq : frames.keySet()) {
            Path png = overlayFile(streamId, seq);
            if (Files.exists(png)) {
                pngs.add(png);
            }
        }
        if (pngs.isEmpty()) {
            return null;
        }
        Path out = outputDir.resolve(Export.directoryName(streamId)).resolve("overlay.mp4");
        try {
            CompositeVideo.write(pngs, out, fps != null ? fps : estimateFps(frames));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static double estimateFps(TreeMap<Long, Segmentation> frames) {
        if (frames.size() >= 2) {
            Segmentation first = frames.firstEntry().getValue();
            Segmentation last = frames.lastEntry().getValue();
            long dt = last.getEventTimeMs() - first.getEventTimeMs();
            if (dt > 0) {
                double rate = (last.getSeq() - first.getSeq()) * 1000.0 / dt;
                if (rate >= 1 && rate <= 240) {
                    return rate;
                }
            }
        }
        return DEFAULT_FPS;
    }

    private Path overlayFile(String streamId, long seq) {
        return outputDir.resolve(Export.directoryName(streamId)).resolve("overlay").resolve(Export.fileName((int) seq));
    }

    /** The label map of one record: each object's RLE painted with its id (objects do not overlap). */
    public static int[] labels(Segmentation s) {
        int width = s.getWidth();
        int height = s.getHeight();
        int[] labels = new int[width * height];
        for (SegmentedObject o : s.getObjects()) {
            int[] counts = o.getMask().getCounts().stream().mapToInt(Integer::intValue).toArray();
            BinaryMask mask = Rle.of(o.getMask().getHeight(), o.getMask().getWidth(), counts).decode();
            if (mask.width() != width || mask.height() != height) {
                throw new IllegalArgumentException("object " + o.getObjectId() + " of " + s.getStreamId() + "#"
                        + s.getSeq() + " has a " + mask.width() + "x" + mask.height() + " mask on a " + width + "x"
                        + height + " frame");
            }
            for (int i = 0; i < labels.length; i++) {
                if (mask.get(i)) {
                    labels[i] = o.getObjectId();
                }
            }
        }
        return labels;
    }

    private void write(Segmentation s) {
        Path dir = outputDir.resolve(Export.directoryName(s.getStreamId()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        DavisMasks.write(dir.resolve(String.format("%05d.png", s.getSeq())), labels(s), s.getWidth(), s.getHeight());
    }

    /** Options of {@link SegmentExport}; defaults are set in the constructor. */
    public static final class Builder {
        private String bootstrapServers;
        private String segmentsTopic = KafkaDefaults.SEGMENTS_TOPIC;
        private String framesTopic = KafkaDefaults.FRAMES_TOPIC;
        private Path outputDir;
        private Duration idleTimeout = Duration.ofSeconds(10);
        private Set<String> streams = Set.of();
        private boolean overlays = true;
        private boolean video = true;
        private Double fps;
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();

        private Builder() {}

        /** Kafka {@code bootstrap.servers} (required). */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            return this;
        }

        /** Topic of Segmentation records (default {@value KafkaDefaults#SEGMENTS_TOPIC}). */
        public Builder segmentsTopic(String topic) {
            this.segmentsTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Topic with the original frames, for overlays (default {@value KafkaDefaults#FRAMES_TOPIC}). */
        public Builder framesTopic(String topic) {
            this.framesTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Folder to write to (required); one sub-folder per stream. */
        public Builder outputDir(Path outputDir) {
            this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
            return this;
        }

        /** Stop reading a topic when nothing arrived for this long (default 10 s). */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        /** Export only these streams (default: all). */
        public Builder streams(Set<String> streams) {
            this.streams = Set.copyOf(Objects.requireNonNull(streams, "streams"));
            return this;
        }

        /** Write overlay PNGs and the video (default true); false writes the masks only, without the frames topic. */
        public Builder overlays(boolean overlays) {
            this.overlays = overlays;
            return this;
        }

        /** Write {@code overlay.mp4} (default true). */
        public Builder video(boolean video) {
            this.video = video;
            return this;
        }

        /** Frame rate of the video (default: from the records' event times, else 24). */
        public Builder fps(double fps) {
            this.fps = fps;
            return this;
        }

        /** Overrides one Kafka consumer setting, e.g. security settings. */
        public Builder consumerProperty(String key, String value) {
            consumerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Overrides Kafka consumer settings. */
        public Builder consumerProperties(Map<String, String> properties) {
            properties.forEach(this::consumerProperty);
            return this;
        }

        public SegmentExport build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required, e.g. bootstrapServers(\"127.0.0.1:9092\")");
            }
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
            }
            if (fps != null && (!(fps > 0) || fps.isInfinite())) {
                throw new IllegalArgumentException("fps must be positive and finite: " + fps);
            }
            return new SegmentExport(this);
        }
    }
}
