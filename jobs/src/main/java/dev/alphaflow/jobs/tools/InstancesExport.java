package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.eval.ForegroundEvaluation;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.MaskRle;
import dev.alphaflow.schemas.serde.AvroCodec;

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

    /**
     * What a run wrote; {@code complete} is false when a read stopped on the idle timeout. Also each stream's
     * processing times, the dead letters by reason (null when the dead-letter topic was not read), how long the run
     * took, and the foreground IoU of the streams that have a truth folder.
     */
    public record Summary(Path outputDir, Map<String, StreamExport> streams, long duplicates, long undecodable,
            boolean complete, Map<String, StreamStats> stats, Map<String, Long> deadLetters, double seconds,
            Map<String, TruthScore> truth) {
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

    private final ExportSettings settings;
    private final String instancesTopic;
    private final boolean overlays;
    private final boolean video;

    private InstancesExport(Builder b, ExportSettings settings) {
        this.settings = settings;
        this.instancesTopic = b.instancesTopic;
        this.overlays = b.overlays;
        this.video = settings.video() && b.overlays;
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
        long startNanos = System.nanoTime();
        Map<String, TreeMap<Long, Instances>> byStream = new TreeMap<>();
        long[] duplicates = {0};
        TopicReader.Undecodable undecodable = new TopicReader.Undecodable();
        boolean complete = TopicReader.readToEnd(settings.consumerConfig("alphaflow-instances-export"),
                instancesTopic, settings.idleTimeout(), AvroCodec.of(Instances.class), undecodable, r -> {
                    if (!settings.wanted(r.getStreamId())) {
                        return;
                    }
                    if (byStream.computeIfAbsent(r.getStreamId(), k -> new TreeMap<>()).putIfAbsent(r.getSeq(), r)
                            != null) {
                        duplicates[0]++;
                    }
                });
        OverlayWriter<Instances> overlayWriter = new OverlayWriter<>(settings, byStream, InstancesExport::layers,
                Instances::getEventTimeMs);
        if (overlays && !byStream.isEmpty()) {
            complete &= overlayWriter.writeOverlays("alphaflow-instances-export-frames", undecodable);
        }
        Map<String, StreamExport> out = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Long, Instances>> e : byStream.entrySet()) {
            out.put(e.getKey(), finish(e.getKey(), e.getValue(), overlayWriter));
        }
        Map<String, Long> deadLetters = settings.deadLettersByReason("alphaflow-instances-export-dlq", undecodable);
        Summary summary = new Summary(settings.outputDir(), out, duplicates[0], undecodable.count(), complete,
                stats(byStream), deadLetters, (System.nanoTime() - startNanos) / 1e9, truth(byStream));
        LOG.info("Exported {} instances on {} frames of {} stream(s) to {}", summary.totalInstances(),
                summary.totalFrames(), out.size(), settings.outputDir());
        return summary;
    }

    // The union of each frame's instances, whatever their class, against the annotated foreground.
    private Map<String, TruthScore> truth(Map<String, TreeMap<Long, Instances>> byStream) {
        Map<String, TruthScore> out = new TreeMap<>();
        byStream.forEach((id, frames) -> {
            Path folder = settings.truthFolder(id);
            if (folder != null) {
                out.put(id, TruthScore.of(ForegroundEvaluation.evaluate(folder, seq -> foreground(frames.get((long) seq))),
                        folder));
            }
        });
        return out;
    }

    private static boolean[] foreground(Instances r) {
        if (r == null) {
            return null;
        }
        boolean[] union = new boolean[r.getWidth() * r.getHeight()];
        for (DetectedInstance d : r.getInstances()) {
            BinaryMask mask = toRle(d.getMask()).decode();
            for (int i = 0; i < union.length; i++) {
                union[i] |= mask.get(i);
            }
        }
        return union;
    }

    // Per-frame models keep no state, so there are no resets: only the processing times of the records kept.
    private static Map<String, StreamStats> stats(Map<String, TreeMap<Long, Instances>> byStream) {
        Map<String, StreamStats> out = new TreeMap<>();
        byStream.forEach((id, frames) -> {
            StreamStats.Collector c = new StreamStats.Collector();
            frames.values().forEach(r -> c.add((int) r.getSeq(), r.getTimingsMicros(), false, null));
            out.put(id, c.build());
        });
        return out;
    }

    /** The frame with the record's instances drawn as export-instances' overlays show them (the live view uses it too). */
    public static RgbImage overlay(RgbImage frame, Instances inst) {
        return Overlay.draw(frame, layers(inst));
    }

    /** Each instance's mask tinted in a colour of its own, its box, and its label and score. */
    static List<Overlay.Layer> layers(Instances inst) {
        List<Overlay.Layer> layers = new ArrayList<>();
        List<DetectedInstance> list = inst.getInstances();
        // Lowest score first, so the best instance is drawn on top.
        for (int i = list.size() - 1; i >= 0; i--) {
            DetectedInstance d = list.get(i);
            BoundingBox b = d.getBbox();
            layers.add(new Overlay.Layer(toRle(d.getMask()).decode(), Overlay.instanceColour(i),
                    new Box(b.getX0(), b.getY0(), b.getX1(), b.getY1()),
                    String.format(Locale.ROOT, "%s %.2f", d.getLabel(), d.getScore())));
        }
        return layers;
    }

    private StreamExport finish(String streamId, TreeMap<Long, Instances> frames, OverlayWriter<Instances> overlays) {
        Path dir = settings.streamDir(streamId);
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
        long overlayCount = overlays.overlays(streamId);
        // Only a stream with overlays of this run gets a video, not one with PNGs of an earlier run only.
        OverlayWriter.Video video = this.video && overlayCount > 0 ? overlays.writeVideo(streamId) : null;
        return new StreamExport(streamId, dir, frames.size(), instances, overlayCount,
                video == null ? null : video.file(), video == null ? 0 : video.frames());
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

    /** Options of {@link InstancesExport}; the shared ones are in {@link ExportSettings.Builder}. */
    public static final class Builder extends ExportSettings.Builder<Builder> {
        private String instancesTopic = KafkaDefaults.INSTANCES_TOPIC;
        private boolean overlays = true;

        private Builder() {}

        /** Topic of Instances records (default {@value KafkaDefaults#INSTANCES_TOPIC}). */
        public Builder instancesTopic(String topic) {
            this.instancesTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Write overlay PNGs and the video (default true); false writes the JSON only and skips the frames topic. */
        public Builder overlays(boolean overlays) {
            this.overlays = overlays;
            return this;
        }

        public InstancesExport build() {
            ExportSettings settings = settings();
            if (instancesTopic.isBlank() || framesTopic().isBlank()) {
                throw new IllegalArgumentException("topic names must not be blank");
            }
            Double fps = fps();
            if (fps != null && (!(fps > 0) || fps.isInfinite())) {
                throw new IllegalArgumentException("fps must be positive and finite: " + fps);
            }
            return new InstancesExport(this, settings);
        }
    }
}
