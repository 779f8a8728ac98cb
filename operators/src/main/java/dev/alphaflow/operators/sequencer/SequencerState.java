package dev.alphaflow.operators.sequencer;

import org.apache.flink.annotation.Internal;

/**
 * What {@link FrameSequencer} remembers per stream, in one value so that RocksDB reads and writes it once per frame.
 * A Flink POJO.
 */
@Internal
public class SequencerState {
    /** {@link #idleTimerMs} when no timer is registered. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** Highest seq accepted so far (frames and control-only RESETs). */
    public long lastSeq;
    /** Geometry of the last frame with pixels; 0x0 until the stream's first frame. */
    public int width;
    public int height;
    /** A control-only RESET arrived; the next frame resets. */
    public boolean pendingReset;
    /** Processing time at which the idle timer fires, or {@link #NO_TIMER}. */
    public long idleTimerMs = NO_TIMER;

    public SequencerState() {}

    boolean sawFrame() {
        return width > 0 && height > 0;
    }

    @Override
    public String toString() {
        return "SequencerState{lastSeq=" + lastSeq + ", " + width + "x" + height + ", pendingReset=" + pendingReset
                + ", idleTimerMs=" + idleTimerMs + "}";
    }
}
