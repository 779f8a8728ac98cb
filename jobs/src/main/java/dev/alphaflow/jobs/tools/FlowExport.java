package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.flow.FlowColors;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.KittiFlowPng;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * Writes the flow topic as files, per stream: {@code <out>/<stream>/<seq, 6 digits>.png}, the record's KITTI 16-bit
 * flow PNG byte for byte (the flow from frame {@code fromSeq} to frame {@code seq}; read it with the KITTI devkit's
 * {@code flow_read} or {@link KittiFlowPng#decode}), and {@code <seq>_color.png}, the same flow in Middlebury's colour
 * coding ({@link FlowColors}: hue = direction, saturation = magnitude relative to the frame's largest). Records
 * without a flow (a stream's first frame, the first after a reset) write nothing and are counted.
 *
 * <p>Reads with {@code read_committed} from the beginning up to the end offsets found at start, or until nothing
 * arrives for the idle timeout; a (stream, seq) read again overwrites the same files, so the output holds each frame
 * once.
 *
 * <pre>{@code
 * FlowExport.Summary s = FlowExport.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .outputDir(Path.of("flow"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class FlowExport {
    private static final Logger LOG = LoggerFactory.getLogger(FlowExport.class);

    /**
     * What a run wrote: flow PNGs (each with its colour picture) per stream id, records without a flow, records read
     * again, records that did not decode and records whose {@code flowPng} is not a KITTI PNG (skipped, logged).
     */
    public record Summary(Path outputDir, Map<String, Long> flowsPerStream, long withoutFlow, long duplicates,
            long undecodable, long badFlowPngs) {
        public long totalFlows() {
            return flowsPerStream.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final ExportSettings settings;
    private final String topic;

    private FlowExport(Builder b) {
        this.settings = b.settings(); // checks them
        this.topic = b.flowTopic;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The KITTI PNG's file name of a seq; the colour picture adds {@code _color}. */
    public static String fileName(long seq) {
        return String.format("%06d.png", seq);
    }

    public static String colorFileName(long seq) {
        return String.format("%06d_color.png", seq);
    }

    public Summary run() {
        Map<String, Set<Long>> written = new TreeMap<>();
        Map<String, Set<Long>> seen = new TreeMap<>();
        long[] withoutFlow = {0};
        long[] duplicates = {0};
        long[] badPngs = {0};
        TopicReader.Undecodable undecodable = new TopicReader.Undecodable();
        TopicReader.readToEnd(settings.consumerConfig("alphaflow-flow-export"), topic, settings.idleTimeout(),
                AvroCodec.of(OpticalFlow.class), undecodable, f -> {
                    if (!settings.wanted(f.getStreamId())) {
                        return;
                    }
                    if (!seen.computeIfAbsent(f.getStreamId(), k -> new TreeSet<>()).add(f.getSeq())) {
                        duplicates[0]++;
                    }
                    if (f.getFlowPng() == null) {
                        withoutFlow[0]++;
                        return;
                    }
                    if (!write(f)) {
                        badPngs[0]++;
                        return;
                    }
                    written.computeIfAbsent(f.getStreamId(), k -> new TreeSet<>()).add(f.getSeq());
                });
        Map<String, Long> counts = new TreeMap<>();
        written.forEach((id, seqs) -> counts.put(id, (long) seqs.size()));
        return new Summary(settings.outputDir(), counts, withoutFlow[0], duplicates[0], undecodable.count(),
                badPngs[0]);
    }

    /** Writes the record's two files; false (and nothing written) when its flowPng is not a KITTI PNG. */
    private boolean write(OpticalFlow f) {
        Path dir = settings.streamDir(f.getStreamId());
        ByteBuffer buffer = f.getFlowPng();
        byte[] png = new byte[buffer.remaining()];
        buffer.duplicate().get(png);
        FlowField flow;
        try {
            flow = KittiFlowPng.decode(png);
        } catch (RuntimeException e) {
            LOG.warn("Skipping the flow of {}#{}: not a KITTI flow PNG ({})", f.getStreamId(), f.getSeq(),
                    e.getMessage());
            return false;
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(fileName(f.getSeq())), png);
            Files.write(dir.resolve(colorFileName(f.getSeq())), ImageCodec.encodeRgbPng(FlowColors.toColor(flow)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the flow of " + f.getStreamId() + "#" + f.getSeq() + " to "
                    + dir, e);
        }
        return true;
    }

    /** Options of {@link FlowExport}; the shared ones are in {@link ExportSettings.Builder}. */
    public static final class Builder extends ExportSettings.Builder<Builder> {
        private String flowTopic = KafkaDefaults.FLOW_TOPIC;

        private Builder() {}

        /** Topic of OpticalFlow records (default {@value KafkaDefaults#FLOW_TOPIC}). */
        public Builder flowTopic(String topic) {
            this.flowTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        public FlowExport build() {
            return new FlowExport(this);
        }
    }
}
