package dev.alphaflow.operators.matting;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Matte;

/**
 * A matted frame before its images are encoded: what the matting operators emit, and what
 * {@link MatteEncodingOperator} turns into a {@link Matte} (alpha and foreground as PNG). Encoding is a stage of its
 * own so that it can run on another thread while the model works on the next frame.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields), so it travels between operators without Kryo.
 */
public class MattedFrame {

    public String streamId;
    public long seq;
    public long eventTimeMs;
    public int width;
    public int height;
    /** Alpha as 8-bit grey, row-major, {@code width * height} bytes. */
    public byte[] alpha8;
    /** RVM's foreground colours as interleaved RGB24, or null when not requested. */
    public byte[] foregroundRgb;
    public String modelId;
    public boolean stateReset;
    /** Why the stream's state was reset, or null. */
    public String resetReason;
    /** Stage timings so far, in microseconds. */
    public long decodeMicros;
    public long preprocessMicros;
    public long inferenceMicros;
    /** From the matting operator taking the frame (batch wait included) to this record. */
    public long mattingMicros;

    public MattedFrame() {}

    /**
     * Encodes the images as PNG (the alpha with {@link ImageCodec#encodeGray8Png}) and builds the Matte, whose
     * timings gain {@code matting}, {@code encode} and {@code total} (decode + matting + encode).
     */
    public Matte encode() {
        long start = System.nanoTime();
        byte[] alphaPng = ImageCodec.encodeGray8Png(alpha8, width, height);
        byte[] foregroundPng = foregroundRgb == null
                ? null
                : ImageCodec.encodeRgbPng(new RgbImage(width, height, foregroundRgb));
        long encodeMicros = (System.nanoTime() - start) / 1_000;

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("decode", decodeMicros);
        timings.put("preprocess", preprocessMicros);
        timings.put("inference", inferenceMicros);
        // the whole model step: preprocessing, session.run, postprocessing and the state's conversion
        timings.put("matting", mattingMicros);
        timings.put("encode", encodeMicros);
        timings.put("total", decodeMicros + mattingMicros + encodeMicros);
        return Matte.newBuilder()
                .setStreamId(streamId)
                .setSeq(seq)
                .setEventTimeMs(eventTimeMs)
                .setWidth(width)
                .setHeight(height)
                .setAlphaPng(ByteBuffer.wrap(alphaPng))
                .setForegroundPng(foregroundPng == null ? null : ByteBuffer.wrap(foregroundPng))
                .setModelId(modelId)
                .setStateReset(stateReset)
                .setResetReason(resetReason)
                .setTimingsMicros(timings)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MattedFrame other
                && seq == other.seq
                && eventTimeMs == other.eventTimeMs
                && width == other.width
                && height == other.height
                && stateReset == other.stateReset
                && decodeMicros == other.decodeMicros
                && preprocessMicros == other.preprocessMicros
                && inferenceMicros == other.inferenceMicros
                && mattingMicros == other.mattingMicros
                && Objects.equals(streamId, other.streamId)
                && Objects.equals(modelId, other.modelId)
                && Objects.equals(resetReason, other.resetReason)
                && Arrays.equals(alpha8, other.alpha8)
                && Arrays.equals(foregroundRgb, other.foregroundRgb);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, seq);
    }

    @Override
    public String toString() {
        return "MattedFrame{" + streamId + "#" + seq + ", " + width + "x" + height
                + (stateReset ? ", reset " + resetReason : "") + "}";
    }
}
