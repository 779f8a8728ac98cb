package dev.alphaflow.operators.flow;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.flow.FlowEstimator;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.FlowInput;
import dev.alphaflow.model.flow.KittiFlowPng;
import dev.alphaflow.model.flow.LumaFrame;
import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.ReplayableDeadLetter;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.LumaFrameTypeInfo;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.OpticalFlow;

/**
 * Dense optical flow per stream: keyed by stream id after {@code FrameSequencer}, it keeps the stream's previous frame
 * (its luma at the flow resolution, {@link LumaFrame}) in a {@code ValueState} ({@value #PREVIOUS_STATE}) and emits
 * one {@link OpticalFlow} record per frame with the flow from that frame to this one as a KITTI 16-bit PNG.
 *
 * <p>Rules for the state, as for the other stateful operators:
 * <ul>
 *   <li>the first frame of a stream and the first after a sequencer reset (RESET, gap, geometry change) have no
 *       previous frame: their record has {@code flowPng = null} (and {@code stateReset}, {@code resetReason});
 *   <li>END (or the sequencer's idle timeout) clears the stream; a control-only RESET clears it and emits nothing;
 *   <li>a frame whose flow cannot be computed goes to {@link #DEAD_LETTERS} ({@code INFERENCE_FAILED}, stage
 *       {@value #STAGE}, the frame as a replayable {@code Frame}) and leaves the state as it was: the next frame's flow
 *       starts from the last frame that succeeded, which its {@code fromSeq} says;
 *   <li>a frame too small for DIS (both flow sides under {@value FlowSpec#DIS_MIN_SIDE} px) goes to the dead letters as
 *       {@code FRAME_TOO_SMALL}, also leaving the state as it was.
 * </ul>
 *
 * <p>Metrics: counters {@value #FLOWS_METRIC} (records with a flow) and {@value #FAILURES_METRIC}; histogram
 * {@value AlphaflowMetrics#INFERENCE_MS} (flow estimation).
 */
public class FlowFunction extends KeyedProcessFunction<String, SequencedFrame, OpticalFlow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FlowFunction.class);

    /** The {@code stage} of the dead letters this function writes. */
    public static final String STAGE = "flow";

    public static final String PREVIOUS_STATE = "flow-previous-frame";

    /** Type information of the output (Avro, no Kryo). */
    public static final TypeInformation<OpticalFlow> OUTPUT_TYPE = new AvroTypeInfo<>(OpticalFlow.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("flow-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /**
     * The {@code resetReason} of a record whose kept frame had another flow size (after a restore with another
     * {@code alphaflow.flow.max-size}): it starts over without a flow.
     */
    public static final String FLOW_SIZE_CHANGED = "FLOW_SIZE_CHANGED";

    public static final String FLOWS_METRIC = "flowsEstimated";
    public static final String FAILURES_METRIC = "flowFailures";

    /** Keys of {@link OpticalFlow#getTimingsMicros()}. */
    public static final String TIMING_DECODE = "decode";
    public static final String TIMING_PREPARE = "prepare";
    public static final String TIMING_FLOW = "flow";
    public static final String TIMING_ENCODE = "encode";

    private final FlowSpec spec;

    private transient FlowEstimator estimator;
    private transient ValueState<LumaFrame> previous;
    private transient ReplayableDeadLetter deadLetters;
    private transient Counter flows;
    private transient Counter failures;
    private transient Histogram inferenceMs;

    public FlowFunction(FlowSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public FlowSpec spec() {
        return spec;
    }

    @Override
    public void open(OpenContext openContext) {
        previous = getRuntimeContext().getState(new ValueStateDescriptor<>(PREVIOUS_STATE, LumaFrameTypeInfo.INSTANCE));
        estimator = spec.openEstimator();
        deadLetters = new ReplayableDeadLetter(STAGE, spec.maxDeadLetterPayloadBytes());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        flows = metrics.counter(FLOWS_METRIC);
        failures = metrics.counter(FAILURES_METRIC);
        inferenceMs = AlphaflowMetrics.histogram(metrics, AlphaflowMetrics.INFERENCE_MS);
    }

    @Override
    public void processElement(SequencedFrame element, Context ctx, Collector<OpticalFlow> out) throws Exception {
        if (element.isEnd()) {
            previous.clear();
            return;
        }
        DecodedFrame frame = element.frame;
        boolean reset = element.resetReason != ResetReason.NONE;
        String resetReason = reset ? element.resetReason.name() : null;
        if (reset) {
            previous.clear();
        }
        if (!frame.hasPixels()) {
            return; // a control-only RESET: the state is cleared, there is no flow to compute
        }
        RgbImage image = new RgbImage(frame.width, frame.height, frame.rgb);
        Dimensions size = FlowInput.flowSize(frame.width, frame.height, spec.maxSide());
        long now = ctx.timerService().currentProcessingTime();
        if (Math.max(size.width(), size.height()) < FlowSpec.DIS_MIN_SIDE) {
            reject(ctx, frame, image, DeadLetterReason.FRAME_TOO_SMALL, "a " + size + " flow field is too small for DIS: "
                    + "one side must be at least " + FlowSpec.DIS_MIN_SIDE + " px", now);
            return;
        }

        LumaFrame before = previous.value();
        LumaFrame current;
        byte[] png = null;
        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put(TIMING_DECODE, frame.decodeMicros);
        try {
            long start = System.nanoTime();
            current = new LumaFrame(frame.seq, size.width(), size.height(), FlowInput.luma(image, spec.maxSide()));
            long prepared = System.nanoTime();
            timings.put(TIMING_PREPARE, (prepared - start) / 1_000);
            if (before != null && (before.width() != current.width() || before.height() != current.height())) {
                // Only after a restore with another alphaflow.flow.max-size (the sequencer resets on a new frame
                // size): the kept frame cannot be compared with this one.
                LOG.info("Stream {} frame {}: the kept frame is {}x{}, the flow size is now {}; starting over",
                        frame.streamId, frame.seq, before.width(), before.height(), size);
                before = null;
                reset = true;
                resetReason = FLOW_SIZE_CHANGED;
            }
            if (before != null) {
                FlowField flow = estimator.estimateLuma(
                        before.luma(), current.luma(), current.width(), current.height());
                long estimated = System.nanoTime();
                timings.put(TIMING_FLOW, (estimated - prepared) / 1_000);
                inferenceMs.update(AlphaflowMetrics.millis((estimated - prepared) / 1_000));
                png = KittiFlowPng.encode(flow);
                timings.put(TIMING_ENCODE, (System.nanoTime() - estimated) / 1_000);
            }
        } catch (RuntimeException e) {
            reject(ctx, frame, image, DeadLetterReason.INFERENCE_FAILED,
                    "flow estimation failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()), now);
            return; // the kept frame stays: the next frame's flow starts from it
        }

        previous.update(current);
        if (png != null) {
            flows.inc();
        }
        out.collect(OpticalFlow.newBuilder()
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setEventTimeMs(frame.eventTimeMs)
                .setFromSeq(png == null ? null : before.seq())
                .setWidth(size.width())
                .setHeight(size.height())
                .setFrameWidth(frame.width)
                .setFrameHeight(frame.height)
                .setFlowPng(png == null ? null : ByteBuffer.wrap(png))
                .setEstimator(spec.estimatorName())
                .setPreset(spec.preset().name())
                .setStateReset(reset)
                .setResetReason(resetReason)
                .setTimingsMicros(timings)
                .build());
    }

    private void reject(Context ctx, DecodedFrame frame, RgbImage image, DeadLetterReason reason, String message,
            long nowMs) {
        LOG.warn("Stream {} frame {}: {}; sent to the dead-letter output", frame.streamId, frame.seq, message);
        failures.inc();
        ctx.output(DEAD_LETTERS, deadLetters.of(frame, image, reason, message, nowMs));
    }

    @Override
    public void close() throws Exception {
        try {
            if (estimator != null) {
                estimator.close();
            }
        } finally {
            estimator = null;
        }
        super.close();
    }
}
