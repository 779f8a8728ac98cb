package dev.alphaflow.operators.matting;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmResult;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.RecurrentStateTypeInfo;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Matte;

/**
 * Mattes each stream's frames with Robust Video Matting, keeping the stream's ConvGRU state r1..r4 as keyed state
 * (fp16, {@link RecurrentStateTypeInfo}); keyed by stream id, after {@code FrameSequencer}.
 *
 * <p>A frame whose sequencer reset reason is not NONE starts from {@link RecurrentState#initial()}; END clears the
 * stream's state. A frame the model cannot run goes to {@link #DEAD_LETTERS} as INFERENCE_FAILED and the stream's
 * state stays as it was; a stored state that no longer fits the frame (the downsample ratio changed across a
 * restart) is dropped and the frame runs from the initial state, reported as reset reason {@value #STATE_MISMATCH}.
 *
 * <p>The ONNX Runtime session is shared by every subtask in the JVM ({@link SharedSessions}) and released in
 * {@link #close()}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Matte> mattes = sequenced
 *     .keyBy(SequencedFrame.byStreamId(), Types.STRING)
 *     .process(new MattingFunction(spec))
 *     .returns(OperatorTypes.MATTE);
 * }</pre>
 *
 * <p>Metrics: counters {@value #FRAMES_MATTED_METRIC}, {@value #STATE_RESETS_METRIC} and
 * {@value #INFERENCE_FAILURES_METRIC}; gauge {@value #INFERENCE_MICROS_METRIC} (the last frame's inference time).
 */
public class MattingFunction extends KeyedProcessFunction<String, SequencedFrame, Matte> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MattingFunction.class);

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

    private transient SharedSession session;
    private transient RvmMatter matter;
    private transient ValueState<RecurrentState> state;
    private transient Counter framesMatted;
    private transient Counter stateResets;
    private transient Counter inferenceFailures;
    private transient volatile long lastInferenceMicros;

    public MattingFunction(MattingSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public MattingSpec spec() {
        return spec;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE_NAME, RecurrentStateTypeInfo.INSTANCE));

        session = SharedSessions.acquire(
                new ModelRegistry(Path.of(spec.modelDir())), spec.card(), spec.sessionSettings());
        try {
            matter = new RvmMatter(session, spec.rvmOptions());
        } catch (RuntimeException e) {
            session.close();
            session = null;
            throw e;
        }

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        framesMatted = metrics.counter(FRAMES_MATTED_METRIC);
        stateResets = metrics.counter(STATE_RESETS_METRIC);
        inferenceFailures = metrics.counter(INFERENCE_FAILURES_METRIC);
        metrics.gauge(INFERENCE_MICROS_METRIC, (Gauge<Long>) () -> lastInferenceMicros);
    }

    @Override
    public void processElement(SequencedFrame element, Context ctx, Collector<Matte> out) throws Exception {
        if (element.isEnd()) {
            state.clear();
            return;
        }
        long start = System.nanoTime();
        DecodedFrame frame = element.frame;
        RgbImage image = new RgbImage(frame.width, frame.height, frame.rgb);

        boolean resetRequested = element.resetReason != ResetReason.NONE;
        RecurrentState stored = resetRequested ? null : state.value();
        String resetReason = resetRequested ? element.resetReason.name() : stored == null ? STATE_MISSING : null;

        RvmResult result;
        try {
            result = matter.infer(image, stored == null ? RecurrentState.initial() : stored);
        } catch (InferenceException e) {
            if (stored == null) {
                reject(frame, e, resetRequested, ctx);
                return;
            }
            LOG.warn("Stream {} frame {}: the stored state does not fit ({}); starting over from the initial state",
                    frame.streamId, frame.seq, e.getMessage());
            resetReason = STATE_MISMATCH;
            try {
                result = matter.infer(image, RecurrentState.initial());
            } catch (InferenceException again) {
                reject(frame, again, true, ctx);
                return;
            }
        }
        state.update(result.nextState());

        long encodeStart = System.nanoTime();
        byte[] alphaPng = ImageCodec.encodeGray8Png(result.alpha8(), result.width(), result.height());
        byte[] foregroundPng = result.foregroundRgb() == null
                ? null
                : ImageCodec.encodeRgbPng(new RgbImage(result.width(), result.height(), result.foregroundRgb()));
        long end = System.nanoTime();

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("decode", frame.decodeMicros);
        timings.put("preprocess", result.preprocessMicros());
        timings.put("inference", result.inferenceMicros());
        timings.put("encode", (end - encodeStart) / 1_000);
        timings.put("total", frame.decodeMicros + (end - start) / 1_000);

        if (resetReason != null) {
            stateResets.inc();
        }
        framesMatted.inc();
        lastInferenceMicros = result.inferenceMicros();
        out.collect(Matte.newBuilder()
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setEventTimeMs(frame.eventTimeMs)
                .setWidth(result.width())
                .setHeight(result.height())
                .setAlphaPng(ByteBuffer.wrap(alphaPng))
                .setForegroundPng(foregroundPng == null ? null : ByteBuffer.wrap(foregroundPng))
                .setModelId(spec.card().id())
                .setStateReset(resetReason != null)
                .setResetReason(resetReason)
                .setTimingsMicros(timings)
                .build());
    }

    /** Sends the frame to the dead letters; a reset it asked for still happens, so the next frame starts over. */
    private void reject(DecodedFrame frame, InferenceException e, boolean clearState, Context ctx) {
        if (clearState) {
            state.clear();
        }
        inferenceFailures.inc();
        LOG.warn("Stream {} frame {}: inference failed, sent to the dead-letter output: {}",
                frame.streamId, frame.seq, e.getMessage());
        ctx.output(DEAD_LETTERS, DeadLetter.newBuilder()
                .setStage(STAGE)
                .setReason(DeadLetterReason.INFERENCE_FAILED)
                .setMessage(e.getMessage() == null ? e.toString() : e.getMessage())
                .setSourceTopic(frame.sourceTopic)
                .setSourcePartition(frame.sourcePartition)
                .setSourceOffset(frame.sourceOffset)
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                // The Kafka value is long gone here; the source coordinates find it.
                .setOriginalSize(0)
                .setOriginal(ByteBuffer.allocate(0))
                .setOriginalTruncated(true)
                .setRejectedAtMs(ctx.timerService().currentProcessingTime())
                .build());
    }

    @Override
    public void close() throws Exception {
        try {
            if (matter != null) {
                matter.close();
            }
        } finally {
            matter = null;
            if (session != null) {
                session.close();
                session = null;
            }
        }
        super.close();
    }
}
