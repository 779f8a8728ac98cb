package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.eval.DavisFolderEvaluation;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;
import dev.alphaflow.schemas.serde.AvroCodec;

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

    /**
     * What a run wrote: masks per stream id, records that were read again, (when overlays were asked for) overlay
     * PNGs and videos per stream id, each stream's processing times and state resets, the dead letters by reason
     * (null when the dead-letter topic was not read), how long the run took, and J, F, J&amp;F of the streams that
     * have a truth folder.
     */
    public record Summary(Path outputDir, Map<String, Long> masksPerStream, long duplicates, long undecodable,
            Map<String, Long> overlaysPerStream, Map<String, Path> videos, Map<String, StreamStats> stats,
            Map<String, Long> deadLetters, double seconds, Map<String, TruthScore> truth) {
        public long totalMasks() {
            return masksPerStream.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The folder of one stream's masks (and overlays). */
        public Path streamDir(String streamId) {
            return outputDir.resolve(Export.directoryName(streamId));
        }
    }

    private final ExportSettings settings;
    private final String topic;
    private final boolean overlays;
    private final boolean video;

    /** Masks only, no overlays: see {@link #builder()} for overlays and the video. */
    public SegmentExport(String bootstrapServers, String topic, Path outputDir, Duration idleTimeout,
            Set<String> streams, Map<String, String> consumerProperties) {
        this(builder().bootstrapServers(bootstrapServers).segmentsTopic(topic).outputDir(outputDir)
                .idleTimeout(idleTimeout).streams(streams).overlays(false).consumerProperties(consumerProperties));
    }

    private SegmentExport(Builder b) {
        this.settings = b.settings(); // checks them
        this.topic = b.segmentsTopic;
        this.overlays = b.overlays;
        this.video = settings.video() && b.overlays;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Summary run() {
        long startNanos = System.nanoTime();
        Map<String, TreeMap<Long, Segmentation>> written = new TreeMap<>();
        Map<String, StreamStats.Collector> stats = new TreeMap<>();
        long[] duplicates = {0};
        TopicReader.Undecodable undecodable = new TopicReader.Undecodable();
        TopicReader.readToEnd(settings.consumerConfig("alphaflow-segment-export"), topic, settings.idleTimeout(),
                AvroCodec.of(Segmentation.class), undecodable, s -> {
                    if (!settings.wanted(s.getStreamId())) {
                        return;
                    }
                    // Kept (for the overlays) only when asked for; the last one read wins, as the file it overwrites.
                    TreeMap<Long, Segmentation> seqs = written.computeIfAbsent(s.getStreamId(), k -> new TreeMap<>());
                    if (seqs.containsKey(s.getSeq())) {
                        duplicates[0]++;
                    } else {
                        stats.computeIfAbsent(s.getStreamId(), k -> new StreamStats.Collector()).add((int) s.getSeq(),
                                s.getTimingsMicros(), s.getStateReset(), s.getResetReason());
                    }
                    seqs.put(s.getSeq(), overlays ? s : null);
                    write(s);
                });
        Map<String, Long> counts = new TreeMap<>();
        written.forEach((id, seqs) -> counts.put(id, (long) seqs.size()));
        Map<String, Long> overlayCounts = Map.of();
        Map<String, Path> videos = new TreeMap<>();
        if (overlays && !written.isEmpty()) {
            OverlayWriter<Segmentation> writer = new OverlayWriter<>(settings, written, SegmentExport::layers,
                    Segmentation::getEventTimeMs);
            writer.writeOverlays("alphaflow-segment-export-frames", undecodable);
            overlayCounts = writer.overlays();
            if (video) {
                for (String id : written.keySet()) {
                    OverlayWriter.Video v = writer.writeVideo(id);
                    if (v != null) {
                        videos.put(id, v.file());
                    }
                }
            }
        }
        Map<String, Long> deadLetters = settings.deadLettersByReason("alphaflow-segment-export-dlq", undecodable);
        Map<String, StreamStats> streamStats = new TreeMap<>();
        stats.forEach((id, c) -> streamStats.put(id, c.build()));
        // Scored as davis-eval scores the folders just written (frames 1..n-2, means over the objects).
        Map<String, TruthScore> truth = new TreeMap<>();
        for (String id : written.keySet()) {
            Path folder = settings.truthFolder(id);
            if (folder != null) {
                truth.put(id, TruthScore.of(DavisFolderEvaluation.evaluateSequence(settings.streamDir(id), folder), folder));
            }
        }
        return new Summary(settings.outputDir(), counts, duplicates[0], undecodable.count(), overlayCounts, videos,
                streamStats, deadLetters, (System.nanoTime() - startNanos) / 1e9, truth);
    }

    /** The frame with the record's objects drawn as export-masks' overlays show them (the live view uses it too). */
    public static RgbImage overlay(RgbImage frame, Segmentation s) {
        return Overlay.draw(frame, layers(s));
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
        Path dir = settings.streamDir(s.getStreamId());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        DavisMasks.write(dir.resolve(String.format("%05d.png", s.getSeq())), labels(s), s.getWidth(), s.getHeight());
    }

    /** Options of {@link SegmentExport}; the shared ones are in {@link ExportSettings.Builder}. */
    public static final class Builder extends ExportSettings.Builder<Builder> {
        private String segmentsTopic = KafkaDefaults.SEGMENTS_TOPIC;
        private boolean overlays = true;

        private Builder() {}

        /** Topic of Segmentation records (default {@value KafkaDefaults#SEGMENTS_TOPIC}). */
        public Builder segmentsTopic(String topic) {
            this.segmentsTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Write overlay PNGs and the video (default true); false writes the masks only, without the frames topic. */
        public Builder overlays(boolean overlays) {
            this.overlays = overlays;
            return this;
        }

        public SegmentExport build() {
            Double fps = fps();
            if (fps != null && (!(fps > 0) || fps.isInfinite())) {
                throw new IllegalArgumentException("fps must be positive and finite: " + fps);
            }
            return new SegmentExport(this); // which checks the shared settings
        }
    }
}
