package dev.alphaflow.operators.decode;

import static dev.alphaflow.operators.testutils.TestFrames.control;
import static dev.alphaflow.operators.testutils.TestFrames.encode;
import static dev.alphaflow.operators.testutils.TestFrames.frame;
import static dev.alphaflow.operators.testutils.TestFrames.image;
import static dev.alphaflow.operators.testutils.TestFrames.jpegFrame;
import static dev.alphaflow.operators.testutils.TestFrames.pngClaiming;
import static dev.alphaflow.operators.testutils.TestFrames.pngFrame;
import static dev.alphaflow.operators.testutils.TestFrames.rawFrame;
import static dev.alphaflow.operators.testutils.TestFrames.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.testutils.MetricCapture;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;

class FrameDecoderTest {
    private static final RgbImage IMAGE = image(64, 48, 3);

    private OneInputStreamOperatorTestHarness<RawFrameRecord, DecodedFrame> harness;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private OneInputStreamOperatorTestHarness<RawFrameRecord, DecodedFrame> open(DecodeLimits limits) throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new FrameDecoder(limits));
        return harness;
    }

    private DecodedFrame decodeOne(RawFrameRecord raw) throws Exception {
        harness.processElement(raw, raw.kafkaTimestampMs);
        assertThat(harness.getSideOutput(FrameDecoder.DEAD_LETTERS)).as("dead letters").isNullOrEmpty();
        List<DecodedFrame> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        harness.getOutput().clear();
        return out.get(0);
    }

    private DeadLetter rejectOne(RawFrameRecord raw) throws Exception {
        harness.processElement(raw, raw.kafkaTimestampMs);
        assertThat(harness.extractOutputValues()).as("main output").isEmpty();
        List<DeadLetter> dead = harness.getSideOutput(FrameDecoder.DEAD_LETTERS).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(dead).hasSize(1);
        harness.getSideOutput(FrameDecoder.DEAD_LETTERS).clear();
        return dead.get(0);
    }

    // ---- good frames ----

    @Test
    void pngFramesPassWithTheirExactPixels() throws Exception {
        open(DecodeLimits.defaults());
        DecodedFrame f = decodeOne(record(pngFrame("cam-1", 7, IMAGE), 100));

        assertThat(f.rgb).isEqualTo(IMAGE.rgb());
        assertThat(f.width).isEqualTo(64);
        assertThat(f.height).isEqualTo(48);
        assertThat(f.streamId).isEqualTo("cam-1");
        assertThat(f.seq).isEqualTo(7);
        assertThat(f.eventTimeMs).isEqualTo(1_700_000_000_000L + 7 * 40);
        assertThat(f.kafkaTimestampMs).isEqualTo(1_700_000_000_100L);
        assertThat(f.control).isEqualTo(Control.NONE);
        assertThat(f.sourceTopic).isEqualTo("frames");
        assertThat(f.sourcePartition).isEqualTo(3);
        assertThat(f.sourceOffset).isEqualTo(100);
        assertThat(f.decodeMicros).isPositive();
    }

    @Test
    void jpegFramesPassWithTheDecodedPixels() throws Exception {
        open(DecodeLimits.defaults());
        Frame frame = jpegFrame("cam-1", 0, IMAGE);
        DecodedFrame f = decodeOne(record(frame, 0));

        assertThat(f.rgb).isEqualTo(ImageCodec.decode(frame.getPayload().array()).rgb());
        // Lossy, but close to the source.
        double meanError = 0;
        for (int i = 0; i < f.rgb.length; i++) {
            meanError += Math.abs((f.rgb[i] & 0xFF) - (IMAGE.rgb()[i] & 0xFF));
        }
        assertThat(meanError / f.rgb.length).isLessThan(8);
    }

    @Test
    void rawFramesPassAsIs() throws Exception {
        open(DecodeLimits.defaults());
        DecodedFrame f = decodeOne(record(rawFrame("cam-1", 0, IMAGE), 0));

        assertThat(f.rgb).isEqualTo(IMAGE.rgb());
    }

    @Test
    void controlOnlyFramesPassWithoutPixels() throws Exception {
        open(DecodeLimits.defaults());
        DecodedFrame end = decodeOne(record(control("cam-1", 9, Control.END), 0));
        DecodedFrame reset = decodeOne(record(control("cam-1", 10, Control.RESET), 1));

        assertThat(end.control).isEqualTo(Control.END);
        assertThat(end.rgb).isNull();
        assertThat(end.hasPixels()).isFalse();
        assertThat(end.seq).isEqualTo(9);
        assertThat(reset.control).isEqualTo(Control.RESET);
        assertThat(reset.rgb).isNull();
    }

    @Test
    void aResetWithPixelsIsDecodedLikeAnyFrame() throws Exception {
        open(DecodeLimits.defaults());
        Frame frame = Frame.newBuilder(pngFrame("cam-1", 4, IMAGE)).setControl(Control.RESET).build();
        DecodedFrame f = decodeOne(record(frame, 0));

        assertThat(f.control).isEqualTo(Control.RESET);
        assertThat(f.rgb).isEqualTo(IMAGE.rgb());
    }

    // ---- bad records: one dead letter each, nothing on the main output ----

    static Stream<Arguments> badRecords() {
        byte[] png = ImageCodec.encodeRgbPng(IMAGE);
        byte[] jpeg = ImageCodec.encodeJpeg(IMAGE, 0.9f);
        byte[] garbage = new byte[5000];
        new Random(42).nextBytes(garbage);
        byte[] corruptPng = png.clone();
        for (int i = 60; i < corruptPng.length - 20; i++) {
            corruptPng[i] ^= (byte) 0x5A; // IDAT contents: the zlib stream no longer inflates
        }
        return Stream.of(
                Arguments.of("non-Avro bytes", DeadLetterReason.UNREADABLE_RECORD, "cannot decode a Frame",
                        record("this is not avro".getBytes(), 0)),
                Arguments.of("tombstone", DeadLetterReason.UNREADABLE_RECORD, "tombstone", record((byte[]) null, 0)),
                Arguments.of("unknown codec", DeadLetterReason.UNKNOWN_CODEC, "codec UNKNOWN",
                        record(frame("s", 1, Codec.UNKNOWN, 64, 48, png).build(), 0)),
                Arguments.of("declared size too large", DeadLetterReason.DIMENSIONS_TOO_LARGE,
                        "declared 60000x60000 exceeds the limit 7680x4320",
                        record(frame("s", 1, Codec.PNG, 60000, 60000, png).build(), 0)),
                Arguments.of("declared size zero", DeadLetterReason.INVALID_DIMENSIONS, "declared 0x48 is not a valid",
                        record(frame("s", 1, Codec.PNG, 0, 48, png).build(), 0)),
                Arguments.of("negative declared width", DeadLetterReason.INVALID_DIMENSIONS,
                        "declared -64x48 is not a valid frame size: width and height must be at least 1",
                        record(frame("s", 1, Codec.PNG, -64, 48, png).build(), 0)),
                Arguments.of("PNG with a wrong chunk CRC", DeadLetterReason.CORRUPT_PAYLOAD,
                        "PNG chunk IDAT at byte 33 is damaged: its CRC is",
                        record(frame("s", 1, Codec.PNG, 64, 48, withBadLastCrc(png)).build(), 0)),
                Arguments.of("Frame of an unknown schema version", DeadLetterReason.UNREADABLE_RECORD,
                        "its writer schema (fingerprint 0123456789abcdef) is unknown",
                        record(withFingerprint(encode(pngFrame("s", 1, IMAGE)), 0x0123456789abcdefL), 0)),
                Arguments.of("PNG header claims 60000x60000", DeadLetterReason.DIMENSIONS_TOO_LARGE,
                        "header says 60000x60000, which exceeds the limit 7680x4320",
                        record(frame("s", 1, Codec.PNG, 16, 16, pngClaiming(60000, 60000)).build(), 0)),
                Arguments.of("truncated JPEG", DeadLetterReason.TRUNCATED_PAYLOAD, "JPEG",
                        record(frame("s", 1, Codec.JPEG, 64, 48, Arrays.copyOf(jpeg, jpeg.length / 2)).build(), 0)),
                Arguments.of("random garbage", DeadLetterReason.CORRUPT_PAYLOAD, "does not start like one",
                        record(frame("s", 1, Codec.JPEG, 64, 48, garbage).build(), 0)),
                Arguments.of("damaged PNG data", DeadLetterReason.CORRUPT_PAYLOAD, "PNG payload",
                        record(frame("s", 1, Codec.PNG, 64, 48, corruptPng).build(), 0)),
                Arguments.of("PNG declared as JPEG", DeadLetterReason.CORRUPT_PAYLOAD, "declared JPEG",
                        record(frame("s", 1, Codec.JPEG, 64, 48, png).build(), 0)),
                Arguments.of("wrong declared size", DeadLetterReason.SIZE_MISMATCH, "declared 80x48 but the PNG is 64x48",
                        record(frame("s", 1, Codec.PNG, 80, 48, png).build(), 0)),
                Arguments.of("raw payload of the wrong length", DeadLetterReason.SIZE_MISMATCH,
                        "RAW_RGB24 needs 9216 bytes, the payload has 9215",
                        record(frame("s", 1, Codec.RAW_RGB24, 64, 48, new byte[64 * 48 * 3 - 1]).build(), 0)),
                Arguments.of("empty payload", DeadLetterReason.TRUNCATED_PAYLOAD, "empty payload",
                        record(frame("s", 1, Codec.PNG, 64, 48, new byte[0]).build(), 0)));
    }

    /** The PNG with the CRC of its last chunk before IEND (the IDAT here) off by one bit; its data is intact. */
    private static byte[] withBadLastCrc(byte[] png) {
        byte[] out = png.clone();
        out[out.length - 12 - 1] ^= 0x01; // IEND is the last 12 bytes; the byte before them ends IDAT's CRC
        return out;
    }

    /** A single-object-encoded record whose header names another writer schema (8 little-endian bytes after C3 01). */
    private static byte[] withFingerprint(byte[] record, long fingerprint) {
        byte[] out = record.clone();
        ByteBuffer.wrap(out, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);
        return out;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badRecords")
    void badRecordsBecomeOneDeadLetter(String what, DeadLetterReason reason, String message, RawFrameRecord raw)
            throws Exception {
        open(DecodeLimits.defaults());
        harness.setProcessingTime(1234);
        DeadLetter dead = rejectOne(raw);

        assertThat(dead.getReason()).isEqualTo(reason);
        assertThat(dead.getMessage()).contains(message);
        assertThat(dead.getStage()).isEqualTo("decode");
        assertThat(dead.getSourceTopic()).isEqualTo("frames");
        assertThat(dead.getSourcePartition()).isEqualTo(3);
        assertThat(dead.getSourceOffset()).isEqualTo(raw.offset);
        assertThat(dead.getRejectedAtMs()).isEqualTo(1234);
        int size = raw.value == null ? 0 : raw.value.length;
        assertThat(dead.getOriginalSize()).isEqualTo(size);
        assertThat(dead.getOriginal().remaining()).isEqualTo(size);
        assertThat(dead.getOriginalTruncated()).isFalse();
        if (reason != DeadLetterReason.UNREADABLE_RECORD) {
            assertThat(dead.getStreamId()).isEqualTo("s");
            assertThat(dead.getSeq()).isEqualTo(1L);
        } else {
            assertThat(dead.getStreamId()).isNull();
            assertThat(dead.getSeq()).isNull();
        }
    }

    @Test
    void anUnreadableRecordNamesItsStreamFromTheKafkaKey() throws Exception {
        open(DecodeLimits.defaults());
        RawFrameRecord raw = new RawFrameRecord("frames", 0, 7, 1L,
                "cam-9".getBytes(java.nio.charset.StandardCharsets.UTF_8), "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        DeadLetter dead = rejectOne(raw);
        assertThat(dead.getReason()).isEqualTo(DeadLetterReason.UNREADABLE_RECORD);
        assertThat(dead.getStreamId()).isEqualTo("cam-9");
        assertThat(dead.getSeq()).isNull();
    }

    @Test
    void oversizedRecordsAreRejectedUnparsedAndCutInTheDeadLetter() throws Exception {
        open(DecodeLimits.builder().maxPayloadBytes(4000).maxDeadLetterPayloadBytes(100).build());
        byte[] value = encode(rawFrame("s", 1, IMAGE));
        DeadLetter dead = rejectOne(record(value, 5));

        assertThat(dead.getReason()).isEqualTo(DeadLetterReason.PAYLOAD_TOO_LARGE);
        assertThat(dead.getMessage()).isEqualTo("record value of " + value.length + " bytes exceeds the limit of 4000 bytes");
        assertThat(dead.getStreamId()).as("not parsed").isNull();
        assertThat(dead.getOriginalSize()).isEqualTo(value.length);
        assertThat(dead.getOriginalTruncated()).isTrue();
        assertThat(toBytes(dead.getOriginal())).isEqualTo(Arrays.copyOf(value, 100));
    }

    @Test
    void limitsApplyToTheDeclaredAndTheHeaderSize() throws Exception {
        open(DecodeLimits.builder().maxWidth(32).maxHeight(32).build());
        DeadLetter declared = rejectOne(record(pngFrame("s", 1, IMAGE), 0));
        DeadLetter header = rejectOne(record(frame("s", 2, Codec.PNG, 16, 16, pngClaiming(64, 16)).build(), 1));

        assertThat(declared.getMessage()).isEqualTo("declared 64x48 exceeds the limit 32x32");
        assertThat(header.getReason()).isEqualTo(DeadLetterReason.DIMENSIONS_TOO_LARGE);
        assertThat(header.getMessage()).contains("header says 64x16");
    }

    @Test
    void badRecordsDoNotDisturbTheFramesAround() throws Exception {
        open(DecodeLimits.defaults());
        harness.processElement(record(pngFrame("a", 0, IMAGE), 0), 0);
        harness.processElement(record(new byte[] {1, 2, 3}, 1), 0);
        harness.processElement(record(pngFrame("b", 0, IMAGE), 2), 0);

        assertThat(harness.extractOutputValues()).extracting(f -> f.streamId).containsExactly("a", "b");
        assertThat(harness.getSideOutput(FrameDecoder.DEAD_LETTERS)).hasSize(1);
    }

    @Test
    void countsDeadLettersPerReason() throws Exception {
        try (MetricCapture metrics = new MetricCapture()) {
            harness = new OneInputStreamOperatorTestHarness<>(
                    new ProcessOperator<>(new FrameDecoder()), metrics.environment());
            harness.open();
            harness.processElement(record(pngFrame("a", 0, IMAGE), 0), 0);
            harness.processElement(record(new byte[] {1, 2, 3}, 1), 0);
            harness.processElement(record(new byte[] {4, 5}, 2), 0);
            harness.processElement(record(frame("s", 1, Codec.UNKNOWN, 64, 48, new byte[1]).build(), 3), 0);

            assertThat(metrics.count(FrameDecoder.FRAMES_DECODED_METRIC)).isEqualTo(1);
            assertThat(metrics.count("deadLetters.UNREADABLE_RECORD")).isEqualTo(2);
            assertThat(metrics.count("deadLetters.UNKNOWN_CODEC")).isEqualTo(1);
            assertThat(metrics.count("deadLetters.CORRUPT_PAYLOAD")).isZero();
            harness.close();
            harness = null;
        }
    }

    @Test
    void theFunctionTravelsInAJobGraph() throws Exception {
        DecodeLimits limits = DecodeLimits.builder().maxWidth(640).build();
        assertThat(InstantiationUtil.clone(new FrameDecoder(limits)).limits()).isEqualTo(limits);
    }

    @Test
    void limitsAreCheckedAndReadFromConfiguration() {
        assertThatThrownBy(() -> DecodeLimits.builder().maxWidth(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> DecodeLimits.builder().maxDeadLetterPayloadBytes(-1).build())
                .isInstanceOf(IllegalArgumentException.class);

        DecodeLimits defaults = DecodeLimits.defaults();
        assertThat(defaults.maxWidth()).isEqualTo(7680);
        assertThat(defaults.maxHeight()).isEqualTo(4320);
        assertThat(defaults.maxPayloadBytes()).isEqualTo(32 << 20);
        assertThat(defaults.maxDeadLetterPayloadBytes()).isEqualTo(1 << 20);

        Configuration config = new Configuration();
        config.set(DecodeLimits.MAX_WIDTH, 1920);
        config.set(DecodeLimits.MAX_PAYLOAD, MemorySize.parse("4mb"));
        DecodeLimits limits = DecodeLimits.fromConfig(config);
        assertThat(limits.maxWidth()).isEqualTo(1920);
        assertThat(limits.maxHeight()).isEqualTo(4320);
        assertThat(limits.maxPayloadBytes()).isEqualTo(4 << 20);
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
