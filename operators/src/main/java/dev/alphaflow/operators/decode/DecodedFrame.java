package dev.alphaflow.operators.decode;

import java.util.Arrays;
import java.util.Objects;

import org.apache.flink.api.java.functions.KeySelector;

import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.ResetCause;

/**
 * A validated frame: its pixels as interleaved RGB24 plus where it came from.
 *
 * <p>{@link #rgb} is null for control-only frames (an END or RESET without pixels) and, until {@link PixelDecoder} has
 * run, for frames whose image is still encoded ({@link #undecodedValue}). A Flink POJO (public no-arg constructor,
 * public fields), so it travels between operators without Kryo.
 */
public class DecodedFrame {

    public String streamId;
    public long seq;
    public long eventTimeMs;
    public long kafkaTimestampMs;
    public int width;
    public int height;
    /** Interleaved RGB24, {@code width * height * 3} bytes; null for a control-only frame. */
    public byte[] rgb;
    /**
     * The Kafka value of a JPEG or PNG frame whose pixels are still to be decoded ({@link PixelDecoder}), kept whole so
     * that a frame that fails there reaches the dead-letter topic as it came; null once {@link #rgb} is set.
     */
    public byte[] undecodedValue;
    public Control control = Control.NONE;
    /** Why the producer sent a RESET (e.g. its camera reconnected); null when it did not say or sent no RESET. */
    public ResetCause resetCause;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    /** Segmentation prompts that came with this frame, unvalidated; empty when none. */
    public FramePrompt[] prompts = new FramePrompt[0];
    /** Wall time spent decoding and validating this frame. */
    public long decodeMicros;

    public DecodedFrame() {}

    /** Keys frames by stream id: one Flink key per video. */
    public static KeySelector<DecodedFrame, String> byStreamId() {
        return frame -> frame.streamId;
    }

    /** True when this frame carries pixels to process (decoded or not yet). */
    public boolean hasPixels() {
        return rgb != null || undecodedValue != null;
    }

    /** True when this frame's pixels are still encoded in {@link #undecodedValue}. */
    public boolean pixelsPending() {
        return rgb == null && undecodedValue != null;
    }

    /** A copy of this frame with its decoded pixels in place of the Kafka value; {@code decodeMicros} is added. */
    public DecodedFrame withPixels(byte[] decodedRgb, long moreDecodeMicros) {
        DecodedFrame d = new DecodedFrame();
        d.streamId = streamId;
        d.seq = seq;
        d.eventTimeMs = eventTimeMs;
        d.kafkaTimestampMs = kafkaTimestampMs;
        d.width = width;
        d.height = height;
        d.rgb = Objects.requireNonNull(decodedRgb, "decodedRgb");
        d.control = control;
        d.resetCause = resetCause;
        d.sourceTopic = sourceTopic;
        d.sourcePartition = sourcePartition;
        d.sourceOffset = sourceOffset;
        d.prompts = prompts;
        d.decodeMicros = decodeMicros + moreDecodeMicros;
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedFrame other
                && seq == other.seq
                && eventTimeMs == other.eventTimeMs
                && kafkaTimestampMs == other.kafkaTimestampMs
                && width == other.width
                && height == other.height
                && sourcePartition == other.sourcePartition
                && sourceOffset == other.sourceOffset
                && decodeMicros == other.decodeMicros
                && Objects.equals(streamId, other.streamId)
                && control == other.control
                && resetCause == other.resetCause
                && Objects.equals(sourceTopic, other.sourceTopic)
                && Arrays.equals(rgb, other.rgb)
                && Arrays.equals(undecodedValue, other.undecodedValue)
                && Arrays.equals(prompts, other.prompts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, seq, control);
    }

    @Override
    public String toString() {
        return "DecodedFrame{" + streamId + "#" + seq + ", " + width + "x" + height
                + (rgb != null ? "" : undecodedValue != null ? ", pixels not decoded yet" : ", no pixels")
                + (control == Control.NONE ? "" : ", " + control) + "}";
    }
}
