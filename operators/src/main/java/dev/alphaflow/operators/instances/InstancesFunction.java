package dev.alphaflow.operators.instances;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Instance;
import dev.alphaflow.model.instances.InstanceSegmenter;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.ReplayableDeadLetter;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.MaskRle;

/**
 * Per-frame instance segmentation: each decoded frame in, one {@link Instances} record out (its objects best score
 * first, boxes in frame pixels, masks as COCO RLE of the frame's size). Stateless — no keyed state and no memory
 * across frames — so it runs right after {@code FrameDecoder}, at any parallelism and without a {@code keyBy};
 * frames of one Kafka partition keep their order. Control-only frames (END or RESET without pixels) produce nothing.
 * Duplicate frames are not dropped here (that is the sequencer's job): a re-delivered frame yields the same record
 * again, which consumers de-duplicate by (streamId, seq) like mattes.
 *
 * <p>A frame the model cannot run goes to {@link #DEAD_LETTERS} as INFERENCE_FAILED and the stream carries on; the
 * dead letter's {@code original} is the frame as a replayable {@code Frame} record ({@link ReplayableDeadLetter}), cut
 * to {@link InstancesSpec#maxDeadLetterPayloadBytes()}.
 *
 * <p>The ONNX Runtime session is shared by every subtask in the JVM ({@link SharedSessions}) and released in
 * {@link #close()}; {@link #open} fails when the class filter names a class the model does not have.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Instances> instances = decoded
 *     .process(new InstancesFunction(spec), InstancesFunction.OUTPUT_TYPE);
 * DataStream<DeadLetter> failed = instances.getSideOutput(InstancesFunction.DEAD_LETTERS);
 * }</pre>
 *
 * <p>Metrics: counters {@value #FRAMES_SEGMENTED_METRIC}, {@value #INSTANCES_FOUND_METRIC} and
 * {@value #INFERENCE_FAILURES_METRIC}; gauge {@value #INFERENCE_MICROS_METRIC} (the last frame's model time);
 * histogram {@value AlphaflowMetrics#INFERENCE_MS}.
 */
public class InstancesFunction extends ProcessFunction<DecodedFrame, Instances> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InstancesFunction.class);

    /** The {@code stage} of the dead letters this function writes. */
    public static final String STAGE = "instances";

    /** Type information of the output, for {@code process(function, type)} and sinks (Avro, no Kryo). */
    public static final TypeInformation<Instances> OUTPUT_TYPE = new AvroTypeInfo<>(Instances.class);

    /** Frames the model could not run, one dead letter each. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("instances-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    public static final String FRAMES_SEGMENTED_METRIC = "framesSegmented";
    public static final String INSTANCES_FOUND_METRIC = "instancesFound";
    public static final String INFERENCE_FAILURES_METRIC = "inferenceFailures";
    public static final String INFERENCE_MICROS_METRIC = "inferenceMicros";

    /** Keys of {@link Instances#getTimingsMicros()}. */
    public static final String TIMING_DECODE = "decode";
    public static final String TIMING_INFERENCE = "inference";
    public static final String TIMING_ENCODE = "encode";
    public static final String TIMING_TOTAL = "total";

    private static final Comparator<Instance> BEST_FIRST = Comparator.comparingDouble(Instance::score).reversed();

    private final InstancesSpec spec;

    private transient InstanceSegmenter segmenter;
    private transient ReplayableDeadLetter deadLetters;
    private transient Counter framesSegmented;
    private transient Counter instancesFound;
    private transient Counter inferenceFailures;
    private transient volatile long lastInferenceMicros;
    private transient Histogram inferenceMs;

    public InstancesFunction(InstancesSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public InstancesSpec spec() {
        return spec;
    }

    @Override
    public void open(OpenContext openContext) {
        segmenter = spec.openSegmenter();
        deadLetters = new ReplayableDeadLetter(STAGE, spec.maxDeadLetterPayloadBytes());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        framesSegmented = metrics.counter(FRAMES_SEGMENTED_METRIC);
        instancesFound = metrics.counter(INSTANCES_FOUND_METRIC);
        inferenceFailures = metrics.counter(INFERENCE_FAILURES_METRIC);
        metrics.gauge(INFERENCE_MICROS_METRIC, (Gauge<Long>) () -> lastInferenceMicros);
        inferenceMs = AlphaflowMetrics.histogram(metrics, AlphaflowMetrics.INFERENCE_MS);
    }

    @Override
    public void processElement(DecodedFrame frame, Context ctx, Collector<Instances> out) {
        if (!frame.hasPixels()) {
            return; // END or RESET without pixels: nothing to segment, and no memory to reset
        }
        long start = System.nanoTime();
        RgbImage image = new RgbImage(frame.width, frame.height, frame.rgb);
        List<Instance> found;
        try {
            found = segmenter.segment(image);
        } catch (InferenceException e) {
            inferenceFailures.inc();
            ctx.output(DEAD_LETTERS, deadLetter(frame, image, e, ctx.timerService().currentProcessingTime()));
            return;
        }
        long inferred = System.nanoTime();
        Instances record = toRecord(frame, found, spec.card().id());
        long end = System.nanoTime();

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put(TIMING_DECODE, frame.decodeMicros);
        timings.put(TIMING_INFERENCE, (inferred - start) / 1_000);
        timings.put(TIMING_ENCODE, (end - inferred) / 1_000);
        timings.put(TIMING_TOTAL, frame.decodeMicros + (end - start) / 1_000);
        record.setTimingsMicros(timings);

        lastInferenceMicros = (inferred - start) / 1_000;
        inferenceMs.update(AlphaflowMetrics.millis(lastInferenceMicros));
        framesSegmented.inc();
        instancesFound.inc(found.size());
        out.collect(record);
    }

    /** The record for a frame's instances (without timings): best score first, masks as COCO RLE. */
    static Instances toRecord(DecodedFrame frame, List<Instance> found, String modelId) {
        List<Instance> sorted = new ArrayList<>(found);
        sorted.sort(BEST_FIRST); // the segmenters already sort; the record's contract should not depend on that
        List<DetectedInstance> instances = new ArrayList<>(sorted.size());
        for (Instance instance : sorted) {
            instances.add(toDetected(instance));
        }
        return Instances.newBuilder()
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setEventTimeMs(frame.eventTimeMs)
                .setWidth(frame.width)
                .setHeight(frame.height)
                .setInstances(instances)
                .setModelId(modelId)
                .setTimingsMicros(new LinkedHashMap<>())
                .build();
    }

    static DetectedInstance toDetected(Instance instance) {
        Box box = instance.box();
        Rle rle = Rle.encode(instance.mask());
        int[] counts = rle.counts();
        List<Integer> countList = new ArrayList<>(counts.length);
        for (int c : counts) {
            countList.add(c);
        }
        return DetectedInstance.newBuilder()
                .setClassId(instance.classId())
                .setLabel(instance.label())
                .setScore(instance.score())
                .setBbox(BoundingBox.newBuilder().setX0(box.x0()).setY0(box.y0()).setX1(box.x1()).setY1(box.y1()).build())
                .setArea(rle.area())
                .setMask(MaskRle.newBuilder().setHeight(rle.height()).setWidth(rle.width()).setCounts(countList).build())
                .build();
    }

    /** The mask of a record's instance, back from its RLE. */
    public static Rle rleOf(DetectedInstance instance) {
        MaskRle mask = instance.getMask();
        int[] counts = mask.getCounts().stream().mapToInt(Integer::intValue).toArray();
        return Rle.of(mask.getHeight(), mask.getWidth(), counts);
    }

    private DeadLetter deadLetter(DecodedFrame frame, RgbImage image, InferenceException failure, long nowMs) {
        String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        LOG.warn("Stream {} frame {}: instance segmentation failed, sent to the dead-letter output: {}",
                frame.streamId, frame.seq, message);
        return deadLetters.of(frame, image, DeadLetterReason.INFERENCE_FAILED, message, nowMs);
    }

    @Override
    public void close() throws Exception {
        try {
            if (segmenter != null) {
                segmenter.close(); // releases the shared session
            }
        } finally {
            segmenter = null;
        }
        super.close();
    }
}
