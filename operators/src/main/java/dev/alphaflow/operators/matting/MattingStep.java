package dev.alphaflow.operators.matting;

import java.nio.ByteBuffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.FrameTooSmallException;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmResult;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;

/**
 * One frame's trip through the matting model: which state it starts from, the inference (alone or as
 * part of a cross-stream batch), and the resulting {@link MattedFrame} or dead letter. Shared by
 * {@link MattingFunction} (one frame per call) and {@link BatchingMattingOperator} so both apply the
 * same reset rules and produce identical records.
 */
final class MattingStep {
    private static final Logger LOG = LoggerFactory.getLogger(MattingStep.class);

    final DecodedFrame frame;
    final RgbImage image;
    final boolean resetRequested;
    final RecurrentState startState;
    private final long startNanos;
    private String resetReason;
    private RvmResult result;
    private InferenceException failure;

    private MattingStep(SequencedFrame element, RecurrentState stored, long startNanos) {
        this.frame = element.frame;
        this.image = new RgbImage(frame.width, frame.height, frame.rgb);
        this.resetRequested = element.resetReason != ResetReason.NONE;
        RecurrentState usable = resetRequested ? null : stored;
        this.resetReason = resetRequested ? element.resetReason.name()
                : usable == null ? MattingFunction.STATE_MISSING : null;
        this.startState = usable == null ? RecurrentState.initial() : usable;
        this.startNanos = startNanos;
    }

    /** @param stored the stream's keyed state, or null when it has none */
    static MattingStep prepare(SequencedFrame element, RecurrentState stored) {
        return new MattingStep(element, stored, System.nanoTime());
    }

    /** Records the result of a batched run. */
    void completed(RvmResult batchedResult) {
        this.result = batchedResult;
    }

    /**
     * Runs this frame alone. A stored state that does not fit the frame is dropped and the frame re-run
     * from the initial state ({@value MattingFunction#STATE_MISMATCH}); a frame the model cannot run at
     * all is marked failed.
     */
    void runAlone(RvmMatter matter) {
        try {
            result = matter.infer(image, startState);
        } catch (InferenceException e) {
            // Too small is about the frame, not the state: running it again from the initial state cannot help.
            if (startState.isInitial() || e instanceof FrameTooSmallException) {
                failure = e;
                return;
            }
            LOG.warn("Stream {} frame {}: the stored state does not fit ({}); starting over from the initial state",
                    frame.streamId, frame.seq, e.getMessage());
            resetReason = MattingFunction.STATE_MISMATCH;
            try {
                result = matter.infer(image, RecurrentState.initial());
            } catch (InferenceException again) {
                failure = again;
            }
        }
    }

    boolean failed() {
        return failure != null;
    }

    boolean stateWasReset() {
        return resetReason != null;
    }

    RvmResult result() {
        return result;
    }

    /** The matted frame of a successful step (images not yet encoded; {@link MattedFrame#encode} does that). */
    MattedFrame toMattedFrame(String modelId) {
        MattedFrame out = new MattedFrame();
        out.streamId = frame.streamId;
        out.seq = frame.seq;
        out.eventTimeMs = frame.eventTimeMs;
        out.width = result.width();
        out.height = result.height();
        out.alpha8 = result.alpha8();
        out.foregroundRgb = result.foregroundRgb();
        out.modelId = modelId;
        out.stateReset = resetReason != null;
        out.resetReason = resetReason;
        out.decodeMicros = frame.decodeMicros;
        out.preprocessMicros = result.preprocessMicros();
        out.inferenceMicros = result.inferenceMicros();
        out.mattingMicros = (System.nanoTime() - startNanos) / 1_000;
        return out;
    }

    /**
     * The dead letter of a failed step (the Kafka value is long gone here; the source coordinates find it):
     * FRAME_TOO_SMALL for a frame under the model's minimum (checked before inference), else INFERENCE_FAILED.
     */
    DeadLetter toDeadLetter(long nowMs) {
        boolean tooSmall = failure instanceof FrameTooSmallException;
        LOG.warn("Stream {} frame {}: {}, sent to the dead-letter output: {}", frame.streamId, frame.seq,
                tooSmall ? "frame too small for the model" : "inference failed", failure.getMessage());
        return DeadLetter.newBuilder()
                .setStage(MattingFunction.STAGE)
                .setReason(tooSmall ? DeadLetterReason.FRAME_TOO_SMALL : DeadLetterReason.INFERENCE_FAILED)
                .setMessage(failure.getMessage() == null ? failure.toString() : failure.getMessage())
                .setSourceTopic(frame.sourceTopic)
                .setSourcePartition(frame.sourcePartition)
                .setSourceOffset(frame.sourceOffset)
                .setStreamId(frame.streamId)
                .setSeq(frame.seq)
                .setOriginalSize(0)
                .setOriginal(ByteBuffer.allocate(0))
                .setOriginalTruncated(true)
                .setRejectedAtMs(nowMs)
                .build();
    }
}
