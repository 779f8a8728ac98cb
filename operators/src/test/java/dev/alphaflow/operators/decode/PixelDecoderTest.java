package dev.alphaflow.operators.decode;

import static dev.alphaflow.operators.testutils.TestFrames.control;
import static dev.alphaflow.operators.testutils.TestFrames.encode;
import static dev.alphaflow.operators.testutils.TestFrames.frame;
import static dev.alphaflow.operators.testutils.TestFrames.image;
import static dev.alphaflow.operators.testutils.TestFrames.jpegFrame;
import static dev.alphaflow.operators.testutils.TestFrames.pngFrame;
import static dev.alphaflow.operators.testutils.TestFrames.rawFrame;
import static dev.alphaflow.operators.testutils.TestFrames.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.decode.FrameDecoder.PixelDecoding;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;

/**
 * Validate → keyBy → {@link PixelDecoder} (what the keyed jobs run) must accept and reject exactly what
 * {@link FrameDecoder} alone accepts and rejects, with the same frames and the same dead letters.
 */
class PixelDecoderTest {
    private static final RgbImage IMAGE = image(64, 48, 3);
    private static final long NOW = 1234;

    /** What came out of a decode: frames, and dead letters by the stage that wrote them. */
    private record Outcome(List<DecodedFrame> validated, List<DecodedFrame> frames, List<DeadLetter> validatorRejects,
            List<DeadLetter> pixelRejects) {
        List<DeadLetter> allRejects() {
            return java.util.stream.Stream.concat(validatorRejects.stream(), pixelRejects.stream()).toList();
        }
    }

    private static Outcome oneStep(DecodeLimits limits, RawFrameRecord... records) throws Exception {
        try (OneInputStreamOperatorTestHarness<RawFrameRecord, DecodedFrame> decoder =
                ProcessFunctionTestHarnesses.forProcessFunction(new FrameDecoder(limits))) {
            decoder.setProcessingTime(NOW);
            for (RawFrameRecord raw : records) {
                decoder.processElement(raw, raw.kafkaTimestampMs);
            }
            return new Outcome(List.of(), withoutTimings(decoder.extractOutputValues()), deadLetters(decoder), List.of());
        }
    }

    private static Outcome twoSteps(DecodeLimits limits, RawFrameRecord... records) throws Exception {
        try (OneInputStreamOperatorTestHarness<RawFrameRecord, DecodedFrame> validator =
                        ProcessFunctionTestHarnesses.forProcessFunction(
                                new FrameDecoder(limits, PixelDecoding.AFTER_KEY_BY));
                KeyedOneInputStreamOperatorTestHarness<String, DecodedFrame, DecodedFrame> pixels =
                        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                                new PixelDecoder(limits), DecodedFrame.byStreamId(), Types.STRING)) {
            validator.setProcessingTime(NOW);
            pixels.setProcessingTime(NOW);
            for (RawFrameRecord raw : records) {
                validator.processElement(raw, raw.kafkaTimestampMs);
            }
            List<DecodedFrame> validated = validator.extractOutputValues();
            for (DecodedFrame frame : validated) {
                pixels.processElement(frame, frame.kafkaTimestampMs);
            }
            return new Outcome(validated, withoutTimings(pixels.extractOutputValues()), deadLetters(validator),
                    deadLetters(pixels));
        }
    }

    private static List<DeadLetter> deadLetters(AbstractStreamOperatorTestHarness<DecodedFrame> harness) {
        var side = harness.getSideOutput(FrameDecoder.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    /** Decode times differ from run to run; everything else must not. */
    private static List<DecodedFrame> withoutTimings(List<DecodedFrame> frames) {
        frames.forEach(f -> f.decodeMicros = 0);
        return frames;
    }

    @Test
    void goodFramesComeOutAsTheOneStepDecoderMakesThem() throws Exception {
        Frame jpeg = jpegFrame("cam-1", 1, IMAGE);
        Frame resetPng = Frame.newBuilder(pngFrame("cam-1", 3, IMAGE)).setControl(Control.RESET).build();
        RawFrameRecord[] records = {
            record(pngFrame("cam-1", 0, IMAGE), 0), record(jpeg, 1), record(rawFrame("cam-2", 0, IMAGE), 2),
            record(resetPng, 3), record(control("cam-1", 4, Control.END), 4)};

        Outcome two = twoSteps(DecodeLimits.defaults(), records);

        assertThat(two.allRejects()).isEmpty();
        assertThat(two.frames()).isEqualTo(oneStep(DecodeLimits.defaults(), records).frames());
        assertThat(two.frames().get(1).rgb).isEqualTo(ImageCodec.decode(jpeg.getPayload().array()).rgb());
        assertThat(two.frames()).allSatisfy(f -> assertThat(f.undecodedValue).isNull());
    }

    @Test
    void theValidatorPassesTheKafkaValueInsteadOfPixelsForJpegAndPngOnly() throws Exception {
        RawFrameRecord png = record(pngFrame("cam-1", 0, IMAGE), 0);
        RawFrameRecord raw = record(rawFrame("cam-1", 1, IMAGE), 1);
        RawFrameRecord end = record(control("cam-1", 2, Control.END), 2);

        List<DecodedFrame> validated = twoSteps(DecodeLimits.defaults(), png, raw, end).validated();

        assertThat(validated.get(0).rgb).isNull();
        assertThat(validated.get(0).undecodedValue).isEqualTo(png.value);
        assertThat(validated.get(0).pixelsPending()).isTrue();
        assertThat(validated.get(0).hasPixels()).isTrue();
        assertThat(validated.get(1).rgb).isEqualTo(IMAGE.rgb());
        assertThat(validated.get(1).pixelsPending()).isFalse();
        assertThat(validated.get(2).hasPixels()).isFalse();
        // what crosses the shuffle is smaller than the pixels it stands for (16x for the DAVIS JPEGs at 854x480)
        assertThat(validated.get(0).undecodedValue.length).isLessThan(IMAGE.rgb().length);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("dev.alphaflow.operators.decode.FrameDecoderTest#badRecords")
    void badRecordsBecomeTheSameDeadLetterAsWithTheOneStepDecoder(String what, DeadLetterReason reason, String message,
            RawFrameRecord raw) throws Exception {
        Outcome two = twoSteps(DecodeLimits.defaults(), raw);
        Outcome one = oneStep(DecodeLimits.defaults(), raw);

        assertThat(two.frames()).isEmpty();
        assertThat(two.allRejects()).hasSize(1).isEqualTo(one.validatorRejects());
        assertThat(two.allRejects().get(0).getReason()).isEqualTo(reason);
        // only what needs the pixels waits for the second step
        // (the PNG chunk CRCs are checked with the pixels: the check reads the whole file)
        boolean needsPixels = what.equals("truncated JPEG") || what.equals("damaged PNG data")
                || what.equals("PNG with a wrong chunk CRC");
        assertThat(two.pixelRejects()).as("rejected after the keyBy").hasSize(needsPixels ? 1 : 0);
    }

    @Test
    void aFrameRejectedAfterTheKeyByDoesNotDisturbItsNeighbours() throws Exception {
        byte[] jpeg = ImageCodec.encodeJpeg(IMAGE, 0.9f);
        Frame truncated = frame("cam-1", 1, Codec.JPEG, 64, 48, Arrays.copyOf(jpeg, jpeg.length / 2)).build();

        Outcome two = twoSteps(DecodeLimits.builder().maxDeadLetterPayloadBytes(64).build(),
                record(pngFrame("cam-1", 0, IMAGE), 0), record(truncated, 1), record(pngFrame("cam-1", 2, IMAGE), 2));

        assertThat(two.frames()).extracting(f -> f.seq).containsExactly(0L, 2L);
        DeadLetter dead = two.pixelRejects().get(0);
        assertThat(dead.getReason()).isEqualTo(DeadLetterReason.TRUNCATED_PAYLOAD);
        assertThat(dead.getStage()).isEqualTo(FrameDecoder.STAGE);
        assertThat(dead.getStreamId()).isEqualTo("cam-1");
        assertThat(dead.getSeq()).isEqualTo(1L);
        assertThat(dead.getSourceOffset()).isEqualTo(1L);
        byte[] value = encode(truncated);
        assertThat(dead.getOriginalSize()).as("the whole Kafka value").isEqualTo(value.length);
        assertThat(dead.getOriginalTruncated()).isTrue();
        byte[] kept = new byte[dead.getOriginal().remaining()];
        dead.getOriginal().duplicate().get(kept);
        assertThat(kept).isEqualTo(Arrays.copyOf(value, 64));
    }

    @Test
    void theFunctionTravelsInAJobGraph() throws Exception {
        DecodeLimits limits = DecodeLimits.builder().maxWidth(640).build();
        assertThat(InstantiationUtil.clone(new PixelDecoder(limits)).limits()).isEqualTo(limits);
        assertThat(InstantiationUtil.clone(new FrameDecoder(limits, PixelDecoding.AFTER_KEY_BY)).pixelDecoding())
                .isEqualTo(PixelDecoding.AFTER_KEY_BY);
    }
}
