package dev.alphaflow.operators.decode;

import java.nio.ByteBuffer;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * Dead letters of a model stage, for a frame that was decoded fine but could not be processed: the Kafka value is no
 * longer at hand after decoding, so {@code original} is the frame re-encoded as a replayable {@code Frame} record
 * (same stream, seq, event time and control; the decoded pixels as a lossless PNG; no prompts), cut to a bound; the
 * source topic/partition/offset point at the record as it was consumed. Not thread-safe: one per operator instance,
 * made in {@code open}.
 */
public final class ReplayableDeadLetter {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayableDeadLetter.class);

    private final String stage;
    private final int maxPayloadBytes;
    private final AvroCodec<Frame> frameCodec = AvroCodec.of(Frame.class);

    /** @param maxPayloadBytes most bytes of the re-encoded frame kept ({@link DecodeLimits#maxDeadLetterPayloadBytes()}) */
    public ReplayableDeadLetter(String stage, int maxPayloadBytes) {
        this.stage = java.util.Objects.requireNonNull(stage, "stage");
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The dead letter of {@code frame} (whose pixels are {@code image}) rejected for {@code reason}. */
    public DeadLetter of(DecodedFrame frame, RgbImage image, DeadLetterReason reason, String message, long nowMs) {
        byte[] original = replayableFrame(frame, image);
        int kept = Math.min(original.length, maxPayloadBytes);
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setReason(reason)
                .setMessage(message)
                .setSourceTopic(frame.sourceTopic)
                .setSourcePartition(frame.sourcePartition)
                .setSourceOffset(frame.sourceOffset)
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setOriginalSize(original.length)
                .setOriginal(ByteBuffer.wrap(original, 0, kept).slice())
                .setOriginalTruncated(kept < original.length)
                .setRejectedAtMs(nowMs)
                .build();
    }

    /** The frame as a {@code Frame} record with a PNG payload, so the dead letter can be replayed as it is. */
    private byte[] replayableFrame(DecodedFrame frame, RgbImage image) {
        try {
            Frame replay = Frame.newBuilder()
                    .setStreamId(frame.streamId)
                    .setSeq(frame.seq)
                    .setEventTimeMs(frame.eventTimeMs)
                    .setCodec(Codec.PNG)
                    .setWidth(frame.width)
                    .setHeight(frame.height)
                    .setPayload(ByteBuffer.wrap(ImageCodec.encodeRgbPng(image)))
                    .setControl(frame.control == null ? Control.NONE : frame.control)
                    .setPrompts(List.of())
                    .setMetadata(null)
                    .build();
            return frameCodec.encode(replay);
        } catch (RuntimeException e) {
            LOG.warn("Stream {} frame {}: could not re-encode the frame for its dead letter", frame.streamId, frame.seq, e);
            return new byte[0];
        }
    }
}
