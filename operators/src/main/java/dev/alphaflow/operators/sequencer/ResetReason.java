package dev.alphaflow.operators.sequencer;

/** Why a stream's model memory starts over at a frame; {@link #NONE} when it carries on. */
public enum ResetReason {
    NONE,
    /** The first frame of a stream (or the first after it ended or timed out). */
    FIRST_FRAME,
    /** The producer asked for it with {@code Control.RESET}. */
    RESET,
    /** Too many frames are missing since the last one. */
    GAP,
    /** The frame's width or height differs from the previous frame's. */
    GEOMETRY_CHANGE,
    /**
     * The producer asked for it with {@code Control.RESET} because its live source was lost and is back
     * ({@code Frame.resetCause = SOURCE_RECONNECTED}, sent by {@code alphaflow ingest}): the frame does not follow
     * the previous one, so no memory may leak across.
     */
    SOURCE_RECONNECTED
}
