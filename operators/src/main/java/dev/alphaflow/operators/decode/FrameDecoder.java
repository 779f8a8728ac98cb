package dev.alphaflow.operators.decode;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * Parses and validates raw Kafka records into {@link DecodedFrame}s; everything it cannot accept goes to the
 * {@link #DEAD_LETTERS} side output with a reason, and the stream carries on.
 *
 * <p>Checks, cheapest first, so that hostile input costs as little as possible: the value's size (before parsing),
 * the Avro record, the codec, the declared size, the image header's size (before any pixel is decoded), the pixels,
 * and finally that the decoded size is the declared one. A control-only frame (END or RESET with an empty payload)
 * is valid without pixels; a RESET or END that carries pixels is validated like any frame.
 *
 * <p>With {@link PixelDecoding#AFTER_KEY_BY} every check but the last two runs here and the JPEG or PNG frame
 * leaves with its Kafka value instead of its pixels; {@link PixelDecoder}, chained after the keyBy, decodes them
 * with the same checks and dead letters. The keyed jobs do this: the shuffle then carries the compressed image
 * (75 KB instead of 1.2 MB of RGB for a DAVIS JPEG at 854×480), and the decode runs in the thread that also runs the
 * model instead of competing with it for a core (BENCHMARKS.md).
 *
 * <pre>{@code
 * SingleOutputStreamOperator<DecodedFrame> frames = raw
 *     .process(new FrameDecoder(DecodeLimits.defaults()))
 *     .returns(OperatorTypes.DECODED_FRAME);
 * DataStream<DeadLetter> dlq = frames.getSideOutput(FrameDecoder.DEAD_LETTERS);
 * }</pre>
 *
 * <p>A Frame written with a schema this build does not know (a newer producer) is read with the writer's schema,
 * looked up by its fingerprint in the schema store ({@link KafkaSchemaStore}) when the decoder has one, and resolved
 * to today's Frame: symbols this reader lacks become the enum's default, new fields are dropped. A fingerprint found
 * nowhere is an UNREADABLE_RECORD whose message names it.
 *
 * <p>Metrics: counter {@value #FRAMES_DECODED_METRIC}, and one counter per reason in group
 * {@value #DEAD_LETTERS_METRIC_GROUP} (e.g. {@code deadLetters.CORRUPT_PAYLOAD}).
 */
public class FrameDecoder extends ProcessFunction<RawFrameRecord, DecodedFrame> {
    private static final long serialVersionUID = 1L;

    /** The {@code stage} of the dead letters this function writes. */
    public static final String STAGE = "decode";

    /**
     * Buffer timeout (ms) the jobs set on this function's output: 0 = hand each decoded frame to the keyed
     * operators as soon as it is written. A frame fills several network buffers anyway, so flushing after each
     * costs nothing, while Flink's default (100 ms) kept the last, partly filled buffer of a live frame waiting
     * for the flusher: ~50 ms of median latency at 9 frames/s (BENCHMARKS.md).
     */
    public static final long OUTPUT_BUFFER_TIMEOUT_MS = 0;

    /** Records that failed validation, one dead letter each. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    public static final String FRAMES_DECODED_METRIC = "framesDecoded";
    public static final String DEAD_LETTERS_METRIC_GROUP = "deadLetters";

    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Where a JPEG or PNG frame's pixels are decoded. */
    public enum PixelDecoding {
        /** Here: every frame leaves with its RGB pixels. */
        HERE,
        /**
         * By {@link PixelDecoder} after the keyBy: a JPEG or PNG frame leaves with its Kafka value in
         * {@link DecodedFrame#undecodedValue} (header and sizes already checked); RAW_RGB24 frames leave with pixels.
         */
        AFTER_KEY_BY
    }

    private final DecodeLimits limits;
    private final PixelDecoding pixelDecoding;
    private final KafkaSchemaStore.Settings writerSchemas;

    private transient KafkaSchemaStore schemaStore;
    private transient AvroCodec<Frame> codec;
    private transient Counter framesDecoded;
    private transient Map<DeadLetterReason, Counter> deadLetterCounters;

    /** A decoder with {@link DecodeLimits#defaults()}. */
    public FrameDecoder() {
        this(DecodeLimits.defaults());
    }

    /** A decoder that decodes pixels here ({@link PixelDecoding#HERE}). */
    public FrameDecoder(DecodeLimits limits) {
        this(limits, PixelDecoding.HERE);
    }

    /** A decoder that knows only the Frame schemas of this build ({@code KnownSchemas}). */
    public FrameDecoder(DecodeLimits limits, PixelDecoding pixelDecoding) {
        this(limits, pixelDecoding, null);
    }

    /**
     * @param writerSchemas the schema store to look unknown writer schemas up in; null: only the Frame schemas of
     *     this build ({@code KnownSchemas}) are readable
     */
    public FrameDecoder(DecodeLimits limits, PixelDecoding pixelDecoding, KafkaSchemaStore.Settings writerSchemas) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.pixelDecoding = Objects.requireNonNull(pixelDecoding, "pixelDecoding");
        this.writerSchemas = writerSchemas;
    }

    public DecodeLimits limits() {
        return limits;
    }

    public PixelDecoding pixelDecoding() {
        return pixelDecoding;
    }

    /** The schema store unknown writer schemas are looked up in, or null for none. */
    public KafkaSchemaStore.Settings writerSchemas() {
        return writerSchemas;
    }

    @Override
    public void open(OpenContext openContext) {
        schemaStore = writerSchemas == null ? null : KafkaSchemaStore.open(writerSchemas);
        codec = frameCodec(schemaStore);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        framesDecoded = metrics.counter(FRAMES_DECODED_METRIC);
        deadLetterCounters = deadLetterCounters(metrics);
    }

    @Override
    public void close() throws Exception {
        if (schemaStore != null) {
            schemaStore.close();
            schemaStore = null;
        }
        super.close();
    }

    /** The Frame codec reading with {@code store} when there is one, else with the schemas this build knows. */
    static AvroCodec<Frame> frameCodec(KafkaSchemaStore store) {
        return store == null ? AvroCodec.of(Frame.class) : AvroCodec.of(Frame.class, store);
    }

    /** One counter per reason in group {@value #DEAD_LETTERS_METRIC_GROUP}; also {@link PixelDecoder}'s. */
    static Map<DeadLetterReason, Counter> deadLetterCounters(MetricGroup metrics) {
        MetricGroup group = metrics.addGroup(DEAD_LETTERS_METRIC_GROUP);
        Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            counters.put(reason, group.counter(reason.name()));
        }
        return counters;
    }

    @Override
    public void processElement(RawFrameRecord raw, Context ctx, Collector<DecodedFrame> out) {
        long start = System.nanoTime();
        Frame frame = null;
        try {
            frame = parse(raw);
            DecodedFrame decoded = validateAndDecode(frame, raw);
            decoded.decodeMicros = (System.nanoTime() - start) / 1_000;
            framesDecoded.inc();
            out.collect(decoded);
        } catch (Rejected rejected) {
            deadLetterCounters.get(rejected.reason).inc();
            ctx.output(DEAD_LETTERS, deadLetter(limits, raw.topic, raw.partition, raw.offset,
                    frame != null ? frame.getStreamId() : streamIdFromKey(raw), frame == null ? null : frame.getSeq(),
                    raw.value, rejected, ctx.timerService().currentProcessingTime()));
        }
    }

    private Frame parse(RawFrameRecord raw) throws Rejected {
        if (raw.value == null) {
            throw new Rejected(DeadLetterReason.UNREADABLE_RECORD, "record has no value (a tombstone); expected a Frame");
        }
        if (raw.value.length > limits.maxPayloadBytes()) {
            throw new Rejected(DeadLetterReason.PAYLOAD_TOO_LARGE, String.format(
                    "record value of %d bytes exceeds the limit of %d bytes", raw.value.length, limits.maxPayloadBytes()));
        }
        try {
            return codec.decode(raw.value);
        } catch (AvroDecodeException e) {
            throw new Rejected(DeadLetterReason.UNREADABLE_RECORD, e.getMessage());
        }
    }

    private DecodedFrame validateAndDecode(Frame frame, RawFrameRecord raw) throws Rejected {
        byte[] payload = bytes(frame.getPayload());
        DecodedFrame decoded = new DecodedFrame();
        decoded.streamId = frame.getStreamId();
        decoded.seq = frame.getSeq();
        decoded.eventTimeMs = frame.getEventTimeMs();
        decoded.kafkaTimestampMs = raw.kafkaTimestampMs;
        decoded.control = frame.getControl();
        decoded.resetCause = frame.getControl() == Control.RESET ? frame.getResetCause() : null;
        decoded.sourceTopic = raw.topic;
        decoded.sourcePartition = raw.partition;
        decoded.sourceOffset = raw.offset;
        decoded.width = frame.getWidth();
        decoded.height = frame.getHeight();
        decoded.prompts = frame.getPrompts().stream().map(FramePrompt::of).toArray(FramePrompt[]::new);

        if (frame.getControl() != Control.NONE && payload.length == 0) {
            return decoded; // a control-only frame: END or RESET without pixels
        }
        Codec declaredCodec = frame.getCodec();
        if (declaredCodec == null || declaredCodec == Codec.UNKNOWN) {
            throw new Rejected(DeadLetterReason.UNKNOWN_CODEC,
                    "codec UNKNOWN: the producer used a codec this reader does not know; expected JPEG, PNG or RAW_RGB24");
        }
        int width = frame.getWidth();
        int height = frame.getHeight();
        if (width <= 0 || height <= 0) {
            throw new Rejected(DeadLetterReason.INVALID_DIMENSIONS, String.format(
                    "declared %dx%d is not a valid frame size: width and height must be at least 1", width, height));
        }
        if (!limits.allows(width, height)) {
            throw new Rejected(DeadLetterReason.DIMENSIONS_TOO_LARGE, String.format(
                    "declared %dx%d exceeds the limit %dx%d", width, height, limits.maxWidth(), limits.maxHeight()));
        }
        if (payload.length == 0) {
            throw new Rejected(DeadLetterReason.TRUNCATED_PAYLOAD,
                    "empty payload; only END and RESET frames may come without pixels");
        }
        if (declaredCodec == Codec.RAW_RGB24) {
            decoded.rgb = checkRaw(payload, width, height);
        } else if (pixelDecoding == PixelDecoding.HERE) {
            decoded.rgb = decodeImage(limits, declaredCodec, payload, width, height);
        } else {
            checkHeader(limits, declaredCodec, payload, width, height);
            decoded.undecodedValue = raw.value;
        }
        return decoded;
    }

    private static byte[] checkRaw(byte[] payload, int width, int height) throws Rejected {
        long expected = (long) width * height * 3;
        if (payload.length != expected) {
            throw new Rejected(DeadLetterReason.SIZE_MISMATCH, String.format(
                    "declared %dx%d RAW_RGB24 needs %d bytes, the payload has %d", width, height, expected, payload.length));
        }
        return payload;
    }

    /** Signature, header and sizes: everything that can be checked without decoding a pixel. */
    private static void checkHeader(DecodeLimits limits, Codec declaredCodec, byte[] payload, int width, int height)
            throws Rejected {
        checkSignature(declaredCodec, payload);
        Dimensions header;
        try {
            header = ImageCodec.probe(payload);
        } catch (ImageDecodeException e) {
            throw rejectDecode(declaredCodec, e);
        } catch (RuntimeException e) {
            throw new Rejected(DeadLetterReason.CORRUPT_PAYLOAD, declaredCodec + " header is unreadable: " + e);
        }
        if (header.width() <= 0 || header.height() <= 0) {
            throw new Rejected(DeadLetterReason.INVALID_DIMENSIONS, String.format(
                    "the %s header says %s, which is not a valid frame size (declared %dx%d)", declaredCodec, header,
                    width, height));
        }
        if (!limits.allows(header.width(), header.height())) {
            throw new Rejected(DeadLetterReason.DIMENSIONS_TOO_LARGE, String.format(
                    "the %s header says %s, which exceeds the limit %dx%d (declared %dx%d); pixels were not decoded",
                    declaredCodec, header, limits.maxWidth(), limits.maxHeight(), width, height));
        }
        if (header.width() != width || header.height() != height) {
            throw sizeMismatch(declaredCodec, width, height, header.width(), header.height());
        }
    }

    /** All checks, then the pixels. */
    private static byte[] decodeImage(DecodeLimits limits, Codec declaredCodec, byte[] payload, int width, int height)
            throws Rejected {
        checkHeader(limits, declaredCodec, payload, width, height);
        return decodePixels(declaredCodec, payload, width, height);
    }

    /**
     * The pixels of a payload whose header {@link #checkHeader} accepted, and the check that they have the declared
     * size; what {@link PixelDecoder} runs after the keyBy.
     */
    static byte[] decodePixels(Codec declaredCodec, byte[] payload, int width, int height) throws Rejected {
        RgbImage image;
        try {
            image = ImageCodec.decode(payload);
        } catch (ImageDecodeException e) {
            throw rejectDecode(declaredCodec, e);
        } catch (RuntimeException e) {
            throw new Rejected(DeadLetterReason.CORRUPT_PAYLOAD, declaredCodec + " payload cannot be decoded: " + e);
        }
        if (image.width() != width || image.height() != height) {
            throw sizeMismatch(declaredCodec, width, height, image.width(), image.height());
        }
        return image.rgb();
    }

    /** The payload must start like the declared codec: a PNG declared as JPEG is a producer bug worth reporting. */
    private static void checkSignature(Codec declaredCodec, byte[] payload) throws Rejected {
        byte[] magic = declaredCodec == Codec.PNG ? PNG_MAGIC : JPEG_MAGIC;
        int n = Math.min(magic.length, payload.length);
        if (!Arrays.equals(payload, 0, n, magic, 0, n)) {
            throw new Rejected(DeadLetterReason.CORRUPT_PAYLOAD, String.format(
                    "declared %s but the payload does not start like one (first bytes %s)",
                    declaredCodec, HexFormat.ofDelimiter(" ").formatHex(payload, 0, Math.min(8, payload.length))));
        }
        if (payload.length < magic.length) {
            throw new Rejected(DeadLetterReason.TRUNCATED_PAYLOAD,
                    "the " + declaredCodec + " payload ends after " + payload.length + " bytes");
        }
    }

    private static Rejected rejectDecode(Codec declaredCodec, ImageDecodeException e) {
        DeadLetterReason reason = e.kind() == ImageDecodeException.Kind.TRUNCATED
                ? DeadLetterReason.TRUNCATED_PAYLOAD
                : DeadLetterReason.CORRUPT_PAYLOAD;
        return new Rejected(reason, declaredCodec + " payload: " + e.getMessage());
    }

    private static Rejected sizeMismatch(Codec codec, int width, int height, int actualWidth, int actualHeight) {
        return new Rejected(DeadLetterReason.SIZE_MISMATCH, String.format(
                "declared %dx%d but the %s is %dx%d", width, height, codec, actualWidth, actualHeight));
    }

    /** The dead letter of a rejected Kafka value (cut to the limit); also what {@link PixelDecoder} writes. */
    static DeadLetter deadLetter(DecodeLimits limits, String topic, int partition, long offset, String streamId,
            Long seq, byte[] kafkaValue, Rejected rejected, long nowMs) {
        byte[] value = kafkaValue == null ? new byte[0] : kafkaValue;
        int kept = Math.min(value.length, limits.maxDeadLetterPayloadBytes());
        return DeadLetter.newBuilder()
                .setStage(STAGE)
                .setReason(rejected.reason)
                .setMessage(rejected.getMessage())
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setStreamId(streamId)
                .setSeq(seq)
                .setOriginalSize(value.length)
                .setOriginal(ByteBuffer.wrap(value, 0, kept).slice())
                .setOriginalTruncated(kept < value.length)
                .setRejectedAtMs(nowMs)
                .build();
    }

    /** Producers key frames by stream id, so the key names the stream even when the value is unreadable. */
    private static String streamIdFromKey(RawFrameRecord raw) {
        return raw.key == null ? null : new String(raw.key, java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    /** Why a record is rejected; control flow inside this function only, so no stack trace. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final DeadLetterReason reason;

        Rejected(DeadLetterReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
