package dev.alphaflow.operators.sequencer;

import java.util.Objects;

import org.apache.flink.api.java.functions.KeySelector;

import dev.alphaflow.operators.decode.DecodedFrame;

/**
 * The sequencer's output: a frame in order with its reset decision, or the end of a stream.
 *
 * <p>Downstream stateful operators reset their per-stream state when {@link #resetReason} is not
 * {@link ResetReason#NONE} and clear it on {@link Kind#END}. A Flink POJO.
 */
public class SequencedFrame {

    /** What this element is. */
    public enum Kind {
        FRAME,
        END
    }

    public Kind kind;
    public String streamId;
    /** The frame; null for {@link Kind#END}. */
    public DecodedFrame frame;
    /** Reset decision for a {@link Kind#FRAME}; {@link ResetReason#NONE} for END. */
    public ResetReason resetReason = ResetReason.NONE;
    /** Why the stream ended; null for a {@link Kind#FRAME}. */
    public EndReason endReason;

    public SequencedFrame() {}

    public static SequencedFrame frame(DecodedFrame frame, ResetReason resetReason) {
        SequencedFrame s = new SequencedFrame();
        s.kind = Kind.FRAME;
        s.streamId = frame.streamId;
        s.frame = frame;
        s.resetReason = Objects.requireNonNull(resetReason, "resetReason");
        return s;
    }

    public static SequencedFrame end(String streamId, EndReason endReason) {
        SequencedFrame s = new SequencedFrame();
        s.kind = Kind.END;
        s.streamId = streamId;
        s.endReason = Objects.requireNonNull(endReason, "endReason");
        return s;
    }

    /** Keys by stream id, as the sequencer's input was keyed. */
    public static KeySelector<SequencedFrame, String> byStreamId() {
        return s -> s.streamId;
    }

    public boolean isEnd() {
        return kind == Kind.END;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequencedFrame other
                && kind == other.kind
                && Objects.equals(streamId, other.streamId)
                && Objects.equals(frame, other.frame)
                && resetReason == other.resetReason
                && endReason == other.endReason;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, streamId, frame, resetReason, endReason);
    }

    @Override
    public String toString() {
        return kind == Kind.END
                ? "SequencedFrame{END " + streamId + ", " + endReason + "}"
                : "SequencedFrame{" + frame + ", reset=" + resetReason + "}";
    }
}
