package dev.alphaflow.operators.matting;

import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.RecurrentStateTypeInfo;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Matte;

/**
 * Mattes each stream's frames with Robust Video Matting, keeping the stream's ConvGRU state r1..r4 as keyed state
 * (fp16, {@link RecurrentStateTypeInfo}); keyed by stream id, after {@code FrameSequencer}.
 *
 * <p>A frame whose sequencer reset reason is not NONE starts from {@link RecurrentState#initial()}; END clears the
 * stream's state. A frame the model cannot run goes to {@link #DEAD_LETTERS} as INFERENCE_FAILED (FRAME_TOO_SMALL,
 * with the minimum in the message, when it is smaller than RVM takes at its downsample ratio: checked before
 * inference) and leaves the stream's state as it was, so the next frame continues from the last frame that ran; only
 * a reset the failed frame carried (first frame, gap, geometry change) still clears it. A stored state that no longer
 * fits the frame (the downsample ratio changed across a restart) is dropped and the frame runs from the initial
 * state, reported as reset reason {@value #STATE_MISMATCH}.
 *
 * <p>It emits {@link MattedFrame}s, whose images {@link MatteEncodingOperator} (on a thread of its own,
 * overlapping the next frame's inference) or {@link MattedFrame#encode} turns into PNG {@link Matte}s.
 *
 * <p>The ONNX Runtime session is shared by every subtask in the JVM ({@link SharedSessions}) and released in
 * {@link #close()}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<MattedFrame> matted = sequenced
 *     .keyBy(SequencedFrame.byStreamId(), Types.STRING)
 *     .process(new MattingFunction(spec), OperatorTypes.MATTED_FRAME);
 * DataStream<Matte> mattes = matted.transform("encode PNG", OperatorTypes.MATTE, MatteEncodingOperator.factory(4));
 * }</pre>
 *
 * <p>Metrics: counters {@value #FRAMES_MATTED_METRIC}, {@value #STATE_RESETS_METRIC} and
 * {@value #INFERENCE_FAILURES_METRIC}; gauge {@value #INFERENCE_MICROS_METRIC} (the last frame's inference time);
 * histogram {@value AlphaflowMetrics#INFERENCE_MS}.
 */
public class MattingFunction extends KeyedProcessFunction<String, SequencedFrame, MattedFrame> {
    private static final long serialVersionUID = 1L;

    /** The {@code stage} of the dead letters this function writes. */
    public static final String STAGE = "matting";

    /** Frames the model could not run, one dead letter each (without the original Kafka value). */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("matting-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Name of the keyed state holding each stream's {@link RecurrentState}. */
    public static final String STATE_NAME = "rvm-recurrent-state";

    /** Reset reason reported when a stored state did not fit the frame and was dropped. */
    public static final String STATE_MISMATCH = "STATE_MISMATCH";

    /**
     * Reset reason reported when the sequencer continues a stream this operator has no state for (its first frame
     * failed inference, or the job was restored without this operator's state).
     */
    public static final String STATE_MISSING = "STATE_MISSING";

    public static final String FRAMES_MATTED_METRIC = "framesMatted";
    public static final String STATE_RESETS_METRIC = "stateResets";
    public static final String INFERENCE_FAILURES_METRIC = "inferenceFailures";
    public static final String INFERENCE_MICROS_METRIC = "inferenceMicros";

    private final MattingSpec spec;

    private transient RvmMatter matter;
    private transient ValueState<RecurrentState> state;
    private transient Counter framesMatted;
    private transient Counter stateResets;
    private transient Counter inferenceFailures;
    private transient volatile long lastInferenceMicros;
    private transient Histogram inferenceMs;

    public MattingFunction(MattingSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public MattingSpec spec() {
        return spec;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE_NAME, RecurrentStateTypeInfo.INSTANCE));

        matter = spec.openMatter();

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        framesMatted = metrics.counter(FRAMES_MATTED_METRIC);
        stateResets = metrics.counter(STATE_RESETS_METRIC);
        inferenceFailures = metrics.counter(INFERENCE_FAILURES_METRIC);
        metrics.gauge(INFERENCE_MICROS_METRIC, (Gauge<Long>) () -> lastInferenceMicros);
        inferenceMs = AlphaflowMetrics.histogram(metrics, AlphaflowMetrics.INFERENCE_MS);
    }

    @Override
    public void processElement(SequencedFrame element, Context ctx, Collector<MattedFrame> out) throws Exception {
        if (element.isEnd()) {
            state.clear();
            return;
        }
        MattingStep step = MattingStep.prepare(element, element.resetReason == ResetReason.NONE ? state.value() : null);
        step.runAlone(matter);
        if (step.failed()) {
            // The frame is dropped as if it had never come (the next one continues from the last good state), but
            // a reset the sequencer asked for with it still happens.
            if (step.resetRequested) {
                state.clear();
            }
            inferenceFailures.inc();
            ctx.output(DEAD_LETTERS, step.toDeadLetter(ctx.timerService().currentProcessingTime()));
            return;
        }
        state.update(step.result().nextState());
        if (step.stateWasReset()) {
            stateResets.inc();
        }
        framesMatted.inc();
        lastInferenceMicros = step.result().inferenceMicros();
        inferenceMs.update(AlphaflowMetrics.millis(lastInferenceMicros));
        out.collect(step.toMattedFrame(spec.card().id()));
    }

    @Override
    public void close() throws Exception {
        try {
            if (matter != null) {
                matter.close(); // releases the shared session
            }
        } finally {
            matter = null;
        }
        super.close();
    }
}
