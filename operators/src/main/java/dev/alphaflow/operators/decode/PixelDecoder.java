package dev.alphaflow.operators.decode;

import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * Decodes the pixels of frames that {@link FrameDecoder} validated with
 * {@link FrameDecoder.PixelDecoding#AFTER_KEY_BY}; other frames pass untouched. Keyed by stream id (it keeps no
 * state; being keyed lets the sequencer after it share the partitioning), chained after the keyBy and before
 * the sequencer, so a frame whose pixels do not decode never reaches the sequencer, exactly as when
 * {@link FrameDecoder} decodes them itself: the same checks (signature, header and sizes before the keyBy, pixels
 * and their size here), the same reasons and the same dead letters (stage
 * {@value FrameDecoder#STAGE}, the whole Kafka value as the original) on {@link FrameDecoder#DEAD_LETTERS}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<DecodedFrame> validated =
 *     raw.process(new FrameDecoder(limits, FrameDecoder.PixelDecoding.AFTER_KEY_BY));
 * SingleOutputStreamOperator<DecodedFrame> decoded = validated
 *     .keyBy(DecodedFrame.byStreamId(), Types.STRING)
 *     .process(new PixelDecoder(limits));
 * }</pre>
 *
 * <p>Metrics: counter {@value FrameDecoder#FRAMES_DECODED_METRIC} (frames whose pixels it decoded), and one counter
 * per reason in group {@value FrameDecoder#DEAD_LETTERS_METRIC_GROUP}.
 */
public class PixelDecoder extends KeyedProcessFunction<String, DecodedFrame, DecodedFrame> {
    private static final long serialVersionUID = 1L;

    private final DecodeLimits limits;
    private final KafkaSchemaStore.Settings writerSchemas;

    private transient KafkaSchemaStore schemaStore;
    private transient AvroCodec<Frame> codec;
    private transient Counter framesDecoded;
    private transient Map<DeadLetterReason, Counter> deadLetterCounters;

    /** A decoder that knows only the Frame schemas of this build. */
    public PixelDecoder(DecodeLimits limits) {
        this(limits, null);
    }

    /**
     * @param writerSchemas the schema store {@link FrameDecoder} was given (it parses the same bytes again), or null
     */
    public PixelDecoder(DecodeLimits limits, KafkaSchemaStore.Settings writerSchemas) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.writerSchemas = writerSchemas;
    }

    public DecodeLimits limits() {
        return limits;
    }

    @Override
    public void open(OpenContext openContext) {
        schemaStore = writerSchemas == null ? null : KafkaSchemaStore.open(writerSchemas);
        codec = FrameDecoder.frameCodec(schemaStore);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        framesDecoded = metrics.counter(FrameDecoder.FRAMES_DECODED_METRIC);
        deadLetterCounters = FrameDecoder.deadLetterCounters(metrics);
    }

    @Override
    public void close() throws Exception {
        if (schemaStore != null) {
            schemaStore.close();
            schemaStore = null;
        }
        super.close();
    }

    @Override
    public void processElement(DecodedFrame frame, Context ctx, Collector<DecodedFrame> out) {
        if (!frame.pixelsPending()) {
            out.collect(frame);
            return;
        }
        long start = System.nanoTime();
        try {
            Frame parsed = parse(frame.undecodedValue);
            // signature, header and sizes were checked before the keyBy, on these same bytes
            byte[] rgb = FrameDecoder.decodePixels(parsed.getCodec(), FrameDecoder.bytes(parsed.getPayload()),
                    frame.width, frame.height);
            framesDecoded.inc();
            out.collect(frame.withPixels(rgb, (System.nanoTime() - start) / 1_000));
        } catch (FrameDecoder.Rejected rejected) {
            deadLetterCounters.get(rejected.reason).inc();
            ctx.output(FrameDecoder.DEAD_LETTERS, FrameDecoder.deadLetter(limits, frame.sourceTopic,
                    frame.sourcePartition, frame.sourceOffset, frame.streamId, frame.seq, frame.undecodedValue,
                    rejected, ctx.timerService().currentProcessingTime()));
        }
    }

    /** {@link FrameDecoder} parsed the same bytes already; failing here means they changed on the way. */
    private Frame parse(byte[] value) throws FrameDecoder.Rejected {
        try {
            return codec.decode(value);
        } catch (AvroDecodeException e) {
            throw new FrameDecoder.Rejected(DeadLetterReason.UNREADABLE_RECORD, e.getMessage());
        }
    }
}
