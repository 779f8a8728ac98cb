package dev.alphaflow.operators.segmentation;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.InstanceSegmenter;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FrameMemory;
import dev.alphaflow.model.vos.SegmentedMask;
import dev.alphaflow.model.vos.TrackEvidence;
import dev.alphaflow.model.vos.VideoObjectSegmenter;
import dev.alphaflow.model.vos.VosMemory;
import dev.alphaflow.model.vos.VosPrompt;
import dev.alphaflow.model.vos.VosResult;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FramePrompt;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.FeatureBankTypeInfo;
import dev.alphaflow.operators.state.FrameMemoryTypeInfo;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.MaskRle;
import dev.alphaflow.schemas.PromptAction;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;

/**
 * Video object segmentation per stream: keyed by stream id after {@code FrameSequencer}, it keeps each object's
 * adaptive feature bank in a {@code MapState<objectId, FeatureBank>} ({@value #BANKS_STATE}), the previous frame's
 * memory in a {@code ValueState<FrameMemory>} ({@value #PREVIOUS_STATE}) and the objects' labels
 * ({@value #LABELS_STATE}), and emits one {@link Segmentation} per frame.
 *
 * <p>Objects come and go through the frame's prompts (ADD with a grayscale PNG mask, REMOVE). A prompt that cannot be
 * applied (mask not a PNG, wrong size, empty, id outside 1..255, REMOVE of an unknown object) goes to
 * {@link #DEAD_LETTERS} as INVALID_PROMPT, with the prompt's mask bytes as the original, and the frame is segmented
 * with the remaining prompts. The memory follows the matting operator's rules: a sequencer reset (first frame, RESET,
 * gap, geometry change) forgets every object before the frame's prompts apply, END clears the stream. A frame the
 * segmenter fails on goes to the dead letters as INFERENCE_FAILED and leaves the keyed state as it was before the
 * frame, bank usage counts included, on every state backend (the segmenter changes the banks only once a frame has
 * succeeded); only a reset the frame carried still happens. The banks run with the spec's bank options (budget,
 * thresholds), including banks restored from a checkpoint taken with other options.
 *
 * <p>Metrics: counters {@value #FRAMES_SEGMENTED_METRIC}, {@value #PROMPTS_REJECTED_METRIC},
 * {@value #INFERENCE_FAILURES_METRIC}; gauges {@value #STATE_BYTES_METRIC} (the last stream's fp16 memory) and
 * {@value #OBJECTS_METRIC} (its object count); histograms {@value AlphaflowMetrics#INFERENCE_MS} (detection and
 * segmentation) and {@value AlphaflowMetrics#BANK_ENTRIES} (the stream's bank entries after each frame).
 */
public class SegmentationFunction extends KeyedProcessFunction<String, SequencedFrame, Segmentation> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SegmentationFunction.class);

    /** The {@code stage} of the dead letters this function writes. */
    public static final String STAGE = "segmentation";

    /** Invalid prompts and frames the segmenter failed on. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("segmentation-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    public static final String BANKS_STATE = "vos-feature-banks";
    public static final String PREVIOUS_STATE = "vos-previous-frame";
    public static final String LABELS_STATE = "vos-object-labels";
    /** Per track started by a detection: the last frame a detection supported it (dropped when too long ago). */
    public static final String LAST_SUPPORT_STATE = "vos-started-last-support";
    public static final String TRACKS_DROPPED_METRIC = "startedTracksDropped";

    public static final String FRAMES_SEGMENTED_METRIC = "framesSegmented";
    public static final String PROMPTS_REJECTED_METRIC = "promptsRejected";
    public static final String INFERENCE_FAILURES_METRIC = "segmentationFailures";
    public static final String STATE_BYTES_METRIC = "vosStateBytes";
    public static final String OBJECTS_METRIC = "vosObjects";

    private final SegmentationSpec spec;

    private transient VideoObjectSegmenter segmenter;
    /** Null unless the spec tracks detections. */
    private transient InstanceSegmenter detector;
    private transient MapState<Integer, FeatureBank> banks;
    private transient ValueState<FrameMemory> previous;
    private transient MapState<Integer, String> labels;
    private transient MapState<Integer, Long> lastSupport;
    private transient Counter tracksDropped;
    /** Labels given with the current frame's accepted ADD prompts; written to state with the memory. */
    private transient Map<Integer, String> pendingLabels;
    private transient Counter framesSegmented;
    private transient Counter promptsRejected;
    private transient Counter inferenceFailures;
    private transient Histogram inferenceMs;
    private transient Histogram bankEntries;
    private transient volatile long lastStateBytes;
    private transient volatile int lastObjects;

    public SegmentationFunction(SegmentationSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public SegmentationSpec spec() {
        return spec;
    }

    @Override
    public void open(OpenContext openContext) {
        banks = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(BANKS_STATE, Types.INT, FeatureBankTypeInfo.INSTANCE));
        previous = getRuntimeContext().getState(new ValueStateDescriptor<>(PREVIOUS_STATE, FrameMemoryTypeInfo.INSTANCE));
        labels = getRuntimeContext().getMapState(new MapStateDescriptor<>(LABELS_STATE, Types.INT, Types.STRING));
        lastSupport = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(LAST_SUPPORT_STATE, Types.INT, Types.LONG));

        segmenter = spec.openSegmenter();
        if (spec.tracksDetections()) {
            detector = spec.openDetector();
        }
        pendingLabels = new LinkedHashMap<>();

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        framesSegmented = metrics.counter(FRAMES_SEGMENTED_METRIC);
        promptsRejected = metrics.counter(PROMPTS_REJECTED_METRIC);
        inferenceFailures = metrics.counter(INFERENCE_FAILURES_METRIC);
        tracksDropped = metrics.counter(TRACKS_DROPPED_METRIC);
        metrics.gauge(STATE_BYTES_METRIC, (Gauge<Long>) () -> lastStateBytes);
        metrics.gauge(OBJECTS_METRIC, (Gauge<Integer>) () -> lastObjects);
        inferenceMs = AlphaflowMetrics.histogram(metrics, AlphaflowMetrics.INFERENCE_MS);
        bankEntries = AlphaflowMetrics.histogram(metrics, AlphaflowMetrics.BANK_ENTRIES);
    }

    @Override
    public void processElement(SequencedFrame element, Context ctx, Collector<Segmentation> out) throws Exception {
        if (element.isEnd()) {
            clearState();
            return;
        }
        DecodedFrame frame = element.frame;
        boolean reset = element.resetReason != ResetReason.NONE;
        if (reset) {
            clearState();
        }
        if (!frame.hasPixels()) {
            return; // a control-only RESET: the memory is cleared, there is nothing to segment
        }
        long now = ctx.timerService().currentProcessingTime();
        VosMemory memory = loadMemory();
        List<VosPrompt> prompts = acceptedPrompts(frame, memory, ctx, now);

        VosResult result;
        long detectMicros = -1;
        long start = System.nanoTime();
        try {
            RgbImage image = new RgbImage(frame.width, frame.height, frame.rgb);
            TrackEvidence.Detections detections = TrackEvidence.Detections.NONE;
            if (detector != null) {
                long detectStart = System.nanoTime();
                detections = new TrackEvidence.Detections(detector.segment(image), spec.tracking());
                detectMicros = (System.nanoTime() - detectStart) / 1_000;
            }
            result = segmenter.segment(image, frame.seq, memory, prompts, detections);
        } catch (RuntimeException e) {
            LOG.warn("Stream {} frame {}: segmentation failed, sent to the dead-letter output", frame.streamId,
                    frame.seq, e);
            inferenceFailures.inc();
            ctx.output(DEAD_LETTERS, deadLetter(frame, DeadLetterReason.INFERENCE_FAILED,
                    e.getMessage() == null ? e.toString() : e.getMessage(), null, now));
            return; // the memory in state is untouched
        }
        long segmentMicros = (System.nanoTime() - start) / 1_000;
        if (detector != null) {
            dropUnsupportedTracks(memory, result, prompts, frame.seq);
        }
        storeMemory(memory, prompts);
        for (Map.Entry<Integer, String> e : result.started().entrySet()) {
            labels.put(e.getKey(), e.getValue()); // a track started by a detection is labelled with its class
        }

        long encodeStart = System.nanoTime();
        Segmentation.Builder record = Segmentation.newBuilder()
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setEventTimeMs(frame.eventTimeMs)
                .setWidth(frame.width)
                .setHeight(frame.height)
                .setObjects(toRecords(result))
                .setModelId(segmenter.modelId())
                .setStateReset(reset)
                .setResetReason(reset ? element.resetReason.name() : null);
        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("decode", frame.decodeMicros);
        if (detectMicros >= 0) {
            timings.put("detect", detectMicros);
        }
        timings.putAll(result.timingsMicros());
        timings.put("segment", segmentMicros);
        timings.put("encode", (System.nanoTime() - encodeStart) / 1_000);
        record.setTimingsMicros(timings);

        framesSegmented.inc();
        lastStateBytes = memory.stateBytes();
        lastObjects = memory.banks().size();
        inferenceMs.update(AlphaflowMetrics.millis(segmentMicros));
        bankEntries.update(memory.banks().values().stream().mapToLong(FeatureBank::size).sum());
        out.collect(record.build());
    }

    /** The frame's prompts that can be applied, in order; the others go to the dead letters. */
    private List<VosPrompt> acceptedPrompts(DecodedFrame frame, VosMemory memory, Context ctx, long now) {
        pendingLabels.clear();
        List<VosPrompt> accepted = new ArrayList<>();
        Set<Integer> present = new HashSet<>(memory.objectIds());
        for (FramePrompt raw : frame.prompts) {
            Optional<String> problem;
            VosPrompt prompt = null;
            if (raw.action == PromptAction.REMOVE) {
                problem = present.contains(raw.objectId)
                        ? Optional.empty()
                        : Optional.of("REMOVE of object " + raw.objectId + ", which is not tracked (tracked: "
                                + new TreeSet<>(present) + ")");
                prompt = VosPrompt.remove(raw.objectId);
            } else {
                BinaryMask mask = null;
                try {
                    mask = decodeMask(raw, frame.width, frame.height);
                    problem = Optional.empty();
                } catch (IllegalArgumentException e) {
                    problem = Optional.of(e.getMessage());
                }
                if (mask != null) {
                    prompt = VosPrompt.add(raw.objectId, mask);
                    problem = VideoObjectSegmenter.checkPrompt(prompt, memory, frame.width, frame.height);
                }
            }
            if (problem.isPresent()) {
                promptsRejected.inc();
                String message = "prompt " + raw.action + " object " + raw.objectId + ": " + problem.get();
                LOG.warn("Stream {} frame {}: {}", frame.streamId, frame.seq, message);
                ctx.output(DEAD_LETTERS, deadLetter(frame, DeadLetterReason.INVALID_PROMPT, message, raw.maskPng, now));
                continue;
            }
            if (prompt.action() == VosPrompt.Action.ADD) {
                present.add(prompt.objectId());
            } else {
                present.remove(prompt.objectId());
            }
            accepted.add(prompt);
            if (raw.label != null && prompt.action() == VosPrompt.Action.ADD) {
                pendingLabels.put(raw.objectId, raw.label);
            }
        }
        return accepted;
    }

    /** Decodes an ADD prompt's PNG to a mask of the frame's size (checking the size before decoding the pixels). */
    static BinaryMask decodeMask(FramePrompt prompt, int width, int height) {
        if (prompt.maskPng == null || prompt.maskPng.length == 0) {
            throw new IllegalArgumentException("ADD without a mask: send an 8-bit grayscale PNG of the frame's size");
        }
        Dimensions size;
        byte[] gray;
        try {
            size = ImageCodec.probe(prompt.maskPng);
            if (size.width() != width || size.height() != height) {
                throw new IllegalArgumentException("mask is " + size.width() + "x" + size.height()
                        + " but the frame is " + width + "x" + height);
            }
            gray = ImageCodec.decodeGray8Png(prompt.maskPng);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("mask is not a readable PNG: " + e.getMessage(), e);
        }
        return BinaryMask.fromBytes(width, height, gray);
    }

    private VosMemory loadMemory() throws Exception {
        TreeMap<Integer, FeatureBank> stored = new TreeMap<>();
        for (Map.Entry<Integer, FeatureBank> e : banks.entries()) {
            stored.put(e.getKey(), e.getValue());
        }
        return new VosMemory(stored, previous.value());
    }

    /** Writes the memory back (banks are mutable: with RocksDB a changed bank must be put again). */
    private void storeMemory(VosMemory memory, List<VosPrompt> prompts) throws Exception {
        List<Integer> gone = new ArrayList<>();
        for (Integer id : banks.keys()) {
            if (!memory.hasObject(id)) {
                gone.add(id);
            }
        }
        for (Integer id : gone) {
            banks.remove(id);
            labels.remove(id);
        }
        for (Map.Entry<Integer, FeatureBank> e : memory.banks().entrySet()) {
            banks.put(e.getKey(), e.getValue());
        }
        for (VosPrompt p : prompts) {
            if (p.action() == VosPrompt.Action.ADD) {
                String label = pendingLabels.get(p.objectId());
                if (label != null) {
                    labels.put(p.objectId(), label);
                } else {
                    labels.remove(p.objectId()); // a re-prompt without a label drops the old one
                }
            }
        }
        pendingLabels.clear();
        if (memory.previous() == null) {
            previous.clear();
        } else {
            previous.update(memory.previous());
        }
    }

    private List<SegmentedObject> toRecords(VosResult result) throws Exception {
        List<SegmentedObject> objects = new ArrayList<>(result.objects().size());
        for (SegmentedMask m : result.objects()) {
            Rle rle = Rle.encode(m.mask());
            List<Integer> counts = new ArrayList<>(rle.counts().length);
            for (int c : rle.counts()) {
                counts.add(c);
            }
            Box box = m.box();
            objects.add(SegmentedObject.newBuilder()
                    .setObjectId(m.objectId())
                    .setLabel(labels.get(m.objectId()))
                    .setScore(m.score())
                    .setBbox(box == null ? null : BoundingBox.newBuilder()
                            .setX0(box.x0()).setY0(box.y0()).setX1(box.x1()).setY1(box.y1()).build())
                    .setArea(m.area())
                    .setMask(MaskRle.newBuilder().setHeight(rle.height()).setWidth(rle.width()).setCounts(counts)
                            .build())
                    .build());
        }
        return objects;
    }

    private void clearState() {
        banks.clear();
        previous.clear();
        labels.clear();
        lastSupport.clear();
    }

    /**
     * Forgets tracks that detections started once no detection has supported them for
     * {@link SegmentationSpec#dropStartedTracksAfter()} frames: the object has left, and a bank that keeps finding it
     * elsewhere only costs time. Prompted objects stay until a REMOVE. Runs after this frame's output was computed, so
     * the track's last mask is still emitted.
     */
    private void dropUnsupportedTracks(VosMemory memory, VosResult result, List<VosPrompt> prompts, long seq)
            throws Exception {
        for (VosPrompt p : prompts) {
            lastSupport.remove(p.objectId()); // a prompted id belongs to the user from now on
        }
        for (Integer id : result.started().keySet()) {
            lastSupport.put(id, seq);
        }
        List<Integer> gone = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : lastSupport.entries()) {
            int id = e.getKey();
            if (!memory.hasObject(id)) {
                gone.add(id); // removed by a prompt
            } else if (result.supported().contains(id)) {
                seen.add(id);
            } else if (spec.dropStartedTracksAfter() > 0 && seq - e.getValue() >= spec.dropStartedTracksAfter()) {
                memory.banks().remove(id);
                gone.add(id);
                tracksDropped.inc();
            }
        }
        for (Integer id : seen) {
            lastSupport.put(id, seq);
        }
        for (Integer id : gone) {
            lastSupport.remove(id);
        }
    }

    private static DeadLetter deadLetter(DecodedFrame frame, DeadLetterReason reason, String message, byte[] original,
            long nowMs) {
        byte[] bytes = original == null ? new byte[0] : original;
        return DeadLetter.newBuilder()
                .setStage(STAGE)
                .setReason(reason)
                .setMessage(message)
                .setSourceTopic(frame.sourceTopic)
                .setSourcePartition(frame.sourcePartition)
                .setSourceOffset(frame.sourceOffset)
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setOriginalSize(bytes.length)
                .setOriginal(ByteBuffer.wrap(bytes))
                .setOriginalTruncated(original == null)
                .setRejectedAtMs(nowMs)
                .build();
    }

    @Override
    public void close() throws Exception {
        try (InstanceSegmenter d = detector; VideoObjectSegmenter s = segmenter) {
            // closes both, the segmenter first; either may be null when open failed part-way
        } finally {
            segmenter = null;
            detector = null;
        }
        super.close();
    }
}
