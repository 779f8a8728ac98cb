package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.MaskRle;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;

/**
 * Writes the instances topic as COCO results other tools read (pycocotools' {@code COCO.loadRes}, FiftyOne, CVAT),
 * plus overlays. Per stream, under {@code <outputDir>/<streamId>/}:
 * <ul>
 *   <li>{@code results.json}: the COCO results list, one entry per detected instance, frames by seq, best score first
 *       within a frame: {@code {"image_id": seq, "category_id": classId, "segmentation": {"size": [h, w], "counts":
 *       "<compressed RLE>"}, "bbox": [x, y, w, h], "score": s}}. {@code image_id} is the frame's seq (0 = first frame
 *       of the stream); {@code category_id} is the model's class id as is (YOLO-seg counts COCO's 80 classes from 0,
 *       not COCO's 1..90 ids); {@code counts} is the compressed string pycocotools writes ({@code rleToString},
 *       column-major);
 *   <li>{@code categories.json}: {@code [{"id": classId, "name": label}, ...]} of the classes seen, by id;
 *   <li>{@code images.json}: {@code [{"id": seq, "file_name": "overlay/000000.png", "width": w, "height": h}, ...]}: every
 *       frame that has an Instances record, including frames without detections;
 *   <li>{@code overlay/%06d.png} and {@code overlay.mp4}: the frame (from the frames topic) with each instance's mask
 *       tinted in a colour of its own, its box, and its label and score.
 * </ul>
 * The three JSON files together are a COCO dataset file's {@code images} and {@code categories} and the results to
 * evaluate against it.
 *
 * <p>The instances topic is read first, from the beginning to the end offsets found at start, with
 * {@code read_committed}; a (stream, seq) read again (at-least-once delivery, a re-run of the job) is kept once, the
 * first one read. Then, for overlays, the frames topic is read the same way; frames without an Instances record are
 * skipped. Either read also stops when nothing arrives for the idle timeout. The instances are held in memory (RLE,
 * a few KB per frame), the frames are not.
 *
 * <pre>{@code
 * InstancesExport.Summary s = InstancesExport.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .outputDir(Path.of("out"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class InstancesExport {
    private static final Logger LOG = LoggerFactory.getLogger(InstancesExport.class);
    private static final double DEFAULT_FPS = 24.0;

    /** What was written for one stream. */
    public record StreamExport(String streamId, Path dir, long frames, long instances, long overlays, Path video,
            long videoFrames) {}

    /** What a run wrote; {@code complete} is false when a read stopped on the idle timeout. */
    public record Summary(Path outputDir, Map<String, StreamExport> streams, long duplicates, long undecodable,
            boolean complete) {
        public long totalInstances() {
            return streams.values().stream().mapToLong(StreamExport::instances).sum();
        }

        public long totalFrames() {
            return streams.values().stream().mapToLong(StreamExport::frames).sum();
        }

        public StreamExport stream(String id) {
            return streams.get(id);
        }
    }

    private final String bootstrapServers;
    private final String instancesTopic;
    private final String framesTopic;
    private final Path outputDir;
    private final Duration idleTimeout;
    private final Set<String> streams;
    private final boolean overlays;
    private final boolean video;
    private final Double fps;
    private final Map<String, String> consumerProperties;

    private InstancesExport(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.instancesTopic = b.instancesTopic;
        this.framesTopic = b.framesTopic;
        this.outputDir = b.outputDir;
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

    /**
     * Reads the topics and writes the files.
     *
     * @throws IllegalStateException when a topic does not exist
     * @throws UncheckedIOException when a file cannot be written
     */
    public Summary run() {
        AvroCodec<Instances> codec = AvroCodec.of(Instances.class);
        Map<String, TreeMap<Long, Instances>> byStream = new TreeMap<>();
        long[] duplicates = {0};
        long[] undecodable = {0};
        boolean complete = TopicReader.readToEnd(
                TopicReader.consumerConfig(bootstrapServers, "alphaflow-instances-export", consumerProperties),
                instancesTopic, idleTimeout, record -> {
                    Instances r;
                    try {
                        r = codec.decode(record.value());
                    } catch (AvroDecodeException e) {
                        skip(record, e, undecodable);
                        return;
                    }
                    if (!wanted(r.getStreamId())) {
                        return;
                    }
                    if (byStream.computeIfAbsent(r.getStreamId(), k -> new TreeMap<>()).putIfAbsent(r.getSeq(), r)
                            != null) {
                        duplicates[0]++;
                    }
                });
        Map<String, long[]> overlayCounts = new TreeMap<>();
        if (overlays && !byStream.isEmpty()) {
            complete &= writeOverlays(byStream, overlayCounts, undecodable);
        }
        Map<String, StreamExport> out = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Long, Instances>> e : byStream.entrySet()) {
            out.put(e.getKey(), finish(e.getKey(), e.getValue(), overlayCounts.getOrDefault(e.getKey(), new long[1])[0]));
        }
        Summary summary = new Summary(outputDir, out, duplicates[0], undecodable[0], complete);
        LOG.info("Exported {} instances on {} frames of {} stream(s) to {}", summary.totalInstances(),
                summary.totalFrames(), out.size(), outputDir);
        return summary;
    }

    private boolean wanted(String streamId) {
        return streams.isEmpty() || streams.contains(streamId);
    }

    private static void skip(ConsumerRecord<?, ?> record, AvroDecodeException e, long[] undecodable) {
        if (undecodable[0]++ < 10) {
            LOG.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    private boolean writeOverlays(Map<String, TreeMap<Long, Instances>> byStream, Map<String, long[]> counts,
            long[] undecodable) {
        AvroCodec<Frame> frameCodec = AvroCodec.of(Frame.class);
        Map<String, Set<Long>> done = new TreeMap<>();
        return TopicReader.readToEnd(
                TopicReader.consumerConfig(bootstrapServers, "alphaflow-instances-export-frames", consumerProperties),
                framesTopic, idleTimeout, record -> {
                    Frame f;
                    try {
                        f = frameCodec.decode(record.value());
                    } catch (AvroDecodeException e) {
                        skip(record, e, undecodable);
                        return;
                    }
                    TreeMap<Long, Instances> mine = byStream.get(f.getStreamId());
                    Instances inst = mine == null ? null : mine.get(f.getSeq());
                    if (inst == null || f.getControl() == Control.END && !f.getPayload().hasRemaining()
                            || !f.getPayload().hasRemaining()) {
                        return;
                    }
                    if (!done.computeIfAbsent(f.getStreamId(), k -> new java.util.HashSet<>()).add(f.getSeq())) {
                        return;
                    }
                    RgbImage image;
                    try {
                        image = decode(f);
                    } catch (ImageDecodeException e) {
                        LOG.warn("No overlay for {} seq {}: {}", f.getStreamId(), f.getSeq(), e.getMessage());
                        return;
                    }
                    List<Overlay.Layer> layers = new ArrayList<>();
                    List<DetectedInstance> list = inst.getInstances();
                    // Lowest score first, so the best instance is drawn on top.
                    for (int i = list.size() - 1; i >= 0; i--) {
                        DetectedInstance d = list.get(i);
                        BoundingBox b = d.getBbox();
                        layers.add(new Overlay.Layer(toRle(d.getMask()).decode(), Overlay.instanceColour(i),
                                new Box(b.getX0(), b.getY0(), b.getX1(), b.getY1()),
                                String.format(java.util.Locale.ROOT, "%s %.2f", d.getLabel(), d.getScore())));
                    }
                    RgbImage drawn;
                    try {
                        drawn = Overlay.draw(image, layers);
                    } catch (IllegalArgumentException e) {
                        LOG.warn("No overlay for {} seq {}: {}", f.getStreamId(), f.getSeq(), e.getMessage());
                        return;
                    }
                    Path file = streamDir(f.getStreamId()).resolve("overlay").resolve(Export.fileName((int) f.getSeq()));
                    write(file, ImageCodec.encodeRgbPng(drawn));
                    counts.computeIfAbsent(f.getStreamId(), k -> new long[1])[0]++;
                });
    }

    private StreamExport finish(String streamId, TreeMap<Long, Instances> frames, long overlayCount) {
        Path dir = streamDir(streamId);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNodeFactory nodes = json.getNodeFactory();
        ArrayNode results = nodes.arrayNode();
        ArrayNode images = nodes.arrayNode();
        TreeMap<Integer, String> categories = new TreeMap<>();
        long instances = 0;
        for (Instances r : frames.values()) {
            ObjectNode image = images.addObject();
            image.put("id", r.getSeq());
            image.put("file_name", "overlay/" + Export.fileName((int) r.getSeq()));
            image.put("width", r.getWidth());
            image.put("height", r.getHeight());
            for (DetectedInstance d : r.getInstances()) {
                results.add(cocoResult(nodes, r.getSeq(), d));
                categories.putIfAbsent(d.getClassId(), d.getLabel());
                instances++;
            }
        }
        ArrayNode cats = nodes.arrayNode();
        categories.forEach((id, name) -> cats.addObject().put("id", id).put("name", name));
        try {
            Files.createDirectories(dir);
            json.writeValue(dir.resolve("results.json").toFile(), results);
            json.writeValue(dir.resolve("categories.json").toFile(), cats);
            json.writeValue(dir.resolve("images.json").toFile(), images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the COCO files of " + streamId + " to " + dir, e);
        }
        Path videoFile = null;
        long videoFrames = 0;
        if (video && overlayCount > 0) {
            List<Path> pngs = new ArrayList<>();
            for (Long seq : frames.keySet()) {
                Path png = dir.resolve("overlay").resolve(Export.fileName(seq.intValue()));
                if (Files.exists(png)) {
                    pngs.add(png);
                }
            }
            videoFile = dir.resolve("overlay.mp4");
            try {
                videoFrames = CompositeVideo.write(pngs, videoFile, fps != null ? fps : estimateFps(frames));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + videoFile + ": " + e.getMessage(), e);
            }
        }
        return new StreamExport(streamId, dir, frames.size(), instances, overlayCount, videoFile, videoFrames);
    }

    /** One COCO results entry: image_id, category_id, segmentation (compressed RLE), bbox [x, y, w, h], score. */
    static ObjectNode cocoResult(JsonNodeFactory nodes, long seq, DetectedInstance d) {
        Rle rle = toRle(d.getMask());
        ObjectNode o = nodes.objectNode();
        o.put("image_id", seq);
        o.put("category_id", d.getClassId());
        ObjectNode seg = o.putObject("segmentation");
        seg.putArray("size").add(rle.height()).add(rle.width());
        seg.put("counts", rle.toCompressedString());
        BoundingBox b = d.getBbox();
        o.putArray("bbox").add(b.getX0()).add(b.getY0()).add(b.getX1() - b.getX0()).add(b.getY1() - b.getY0());
        o.put("score", d.getScore());
        return o;
    }

    static Rle toRle(MaskRle mask) {
        return Rle.of(mask.getHeight(), mask.getWidth(), mask.getCounts().stream().mapToInt(Integer::intValue).toArray());
    }

    // From the event times of the first and last seq: robust to missing frames in between.
    private static double estimateFps(TreeMap<Long, Instances> frames) {
        if (frames.size() >= 2) {
            Instances first = frames.firstEntry().getValue();
            Instances last = frames.lastEntry().getValue();
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

    private Path streamDir(String streamId) {
        return outputDir.resolve(Export.directoryName(streamId));
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static RgbImage decode(Frame f) {
        ByteBuffer b = f.getPayload().duplicate();
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        if (f.getCodec() == Codec.RAW_RGB24) {
            return new RgbImage(f.getWidth(), f.getHeight(), payload);
        }
        return ImageCodec.decode(payload);
    }

    /** Options of {@link InstancesExport}; defaults are set in the constructor. */
    public static final class Builder {
        private String bootstrapServers;
        private String instancesTopic = KafkaDefaults.INSTANCES_TOPIC;
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

        /** Topic of Instances records (default {@value KafkaDefaults#INSTANCES_TOPIC}). */
        public Builder instancesTopic(String topic) {
            this.instancesTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Topic with the original frames, for overlays (default {@value KafkaDefaults#FRAMES_TOPIC}). */
        public Builder framesTopic(String topic) {
            this.framesTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Folder to write to (required); one sub-folder per stream. Existing files of the same names are replaced. */
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

        /** Write overlay PNGs and the video (default true); false writes the JSON only and skips the frames topic. */
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

        public InstancesExport build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required, e.g. bootstrapServers(\"127.0.0.1:9092\")");
            }
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required");
            }
            if (instancesTopic.isBlank() || framesTopic.isBlank()) {
                throw new IllegalArgumentException("topic names must not be blank");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
            }
            if (fps != null && (!(fps > 0) || fps.isInfinite())) {
                throw new IllegalArgumentException("fps must be positive and finite: " + fps);
            }
            return new InstancesExport(this);
        }
    }
}
