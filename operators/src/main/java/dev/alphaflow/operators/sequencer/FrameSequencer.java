package dev.alphaflow.operators.sequencer;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.ResetCause;

/**
 * Puts each stream's frames in order and decides when its model memory starts over; keyed by stream id.
 *
 * <ul>
 *   <li>A frame whose seq is not above the last accepted one is a duplicate and is dropped.
 *   <li>The first frame, a RESET, a jump of more than {@code maxGapFrames}, or a new width/height resets the stream
 *       ({@link ResetReason}; with several causes the first in that order wins). A RESET whose
 *       {@code resetCause} is {@code SOURCE_RECONNECTED} (a live camera came back) has that reason instead of RESET.
 *   <li>END emits an END marker after the frame's pixels (if any) and clears all state; so does the idle timeout.
 *       An END whose seq is below the last accepted one is stale and dropped; one at the same seq is honoured,
 *       since producers often stamp END with the last frame's seq.
 *   <li>A RESET without pixels resets the stream at its next frame.
 * </ul>
 *
 * <p>Idle means no frame for {@code idleTimeout} of the job's running time. Processing-time timers are checkpointed
 * with their deadlines, so after a restore every deadline that passed while the job was down (a stop with a
 * savepoint, a cluster restart, a long recovery) would fire at once and end every stream, resetting the model
 * memory of an archive that is about to continue. A deadline restored overdue is therefore moved to
 * {@code idleTimeout} after this run started: the stream has that long to send its next frame.
 *
 * <pre>{@code
 * DataStream<SequencedFrame> sequenced = frames
 *     .keyBy(DecodedFrame.byStreamId(), Types.STRING)
 *     .process(new FrameSequencer(SequencerOptions.defaults()))
 *     .returns(OperatorTypes.SEQUENCED_FRAME);
 * }</pre>
 *
 * <p>Metrics: counter {@value #DUPLICATES_DROPPED_METRIC}; counter {@value AlphaflowMetrics#STATE_RESETS} per
 * {@link ResetReason} (label {@value AlphaflowMetrics#REASON_LABEL}, see {@link AlphaflowMetrics#countersByReason});
 * counters {@code streamsEnded.<EndReason>}.
 */
public class FrameSequencer extends KeyedProcessFunction<String, DecodedFrame, SequencedFrame> {
    private static final long serialVersionUID = 1L;

    public static final String DUPLICATES_DROPPED_METRIC = "duplicatesDropped";
    public static final String STREAMS_ENDED_METRIC_GROUP = "streamsEnded";

    /** Name of the keyed state (one {@link SequencerState} per stream). */
    public static final String STATE_NAME = "sequencer";

    /**
     * Job accumulators (summed over the job's tasks, read from the job's result): duplicates dropped, and state
     * resets other than a stream's first frame (RESET, gap, size change).
     */
    public static final String DUPLICATES_ACCUMULATOR = "alphaflow.duplicates-dropped";
    public static final String RESETS_ACCUMULATOR = "alphaflow.state-resets";

    private final SequencerOptions options;

    private transient ValueState<SequencerState> state;
    private transient Counter duplicatesDropped;
    private transient LongCounter duplicatesTotal;
    private transient LongCounter resetsTotal;
    private transient Map<ResetReason, Counter> resets;
    private transient Map<EndReason, Counter> streamsEnded;
    private transient long runStartMs = -1; // processing time of this instance's first call (after open/restore)

    /** A sequencer with {@link SequencerOptions#defaults()}. */
    public FrameSequencer() {
        this(SequencerOptions.defaults());
    }

    public FrameSequencer(SequencerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public SequencerOptions options() {
        return options;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>(STATE_NAME, TypeInformation.of(SequencerState.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        duplicatesDropped = metrics.counter(DUPLICATES_DROPPED_METRIC);
        duplicatesTotal = getRuntimeContext().getLongCounter(DUPLICATES_ACCUMULATOR);
        resetsTotal = getRuntimeContext().getLongCounter(RESETS_ACCUMULATOR);
        resets = AlphaflowMetrics.countersByReason(metrics, AlphaflowMetrics.STATE_RESETS,
                EnumSet.complementOf(EnumSet.of(ResetReason.NONE)));
        streamsEnded = new EnumMap<>(EndReason.class);
        MetricGroup endGroup = metrics.addGroup(STREAMS_ENDED_METRIC_GROUP);
        for (EndReason reason : EndReason.values()) {
            streamsEnded.put(reason, endGroup.counter(reason.name()));
        }
    }

    @Override
    public void processElement(DecodedFrame frame, Context ctx, Collector<SequencedFrame> out) throws Exception {
        runStart(ctx.timerService());
        SequencerState s = state.value();
        boolean duplicate = s != null && frame.seq <= s.lastSeq;
        boolean changed = false;

        if (frame.hasPixels()) {
            if (duplicate) {
                duplicatesDropped.inc();
                duplicatesTotal.add(1L);
            } else {
                if (s == null) {
                    s = new SequencerState();
                }
                ResetReason reason = resetReason(s, frame);
                if (reason != ResetReason.NONE) {
                    resets.get(reason).inc();
                    if (reason != ResetReason.FIRST_FRAME) {
                        resetsTotal.add(1L); // a discontinuity, not a stream's start
                    }
                }
                s.lastSeq = frame.seq;
                s.width = frame.width;
                s.height = frame.height;
                s.pendingReset = false;
                changed = true;
                out.collect(SequencedFrame.frame(frame, reason));
            }
        } else if (frame.control == Control.RESET) {
            if (duplicate) {
                duplicatesDropped.inc();
                duplicatesTotal.add(1L);
            } else {
                if (s == null) {
                    s = new SequencerState();
                }
                s.lastSeq = frame.seq;
                s.pendingReset = true;
                changed = true;
            }
        } else if (frame.control != Control.END) {
            throw new IllegalArgumentException("frame " + frame + " has no pixels and is not a control frame; "
                    + "FrameDecoder never emits such frames");
        }

        if (frame.control == Control.END) {
            if (s != null && frame.seq < s.lastSeq) {
                if (!frame.hasPixels()) {
                    duplicatesDropped.inc(); // a stale END; one with pixels was counted as a duplicate above
                    duplicatesTotal.add(1L);
                }
            } else {
                endStream(s, ctx.getCurrentKey(), EndReason.END_OF_STREAM, ctx.timerService(), out);
                return;
            }
        }
        if (changed) {
            rearmIdleTimer(s, ctx);
            state.update(s);
        }
    }

    private ResetReason resetReason(SequencerState s, DecodedFrame frame) {
        if (!s.sawFrame()) {
            return ResetReason.FIRST_FRAME;
        }
        if (frame.control == Control.RESET && frame.resetCause == ResetCause.SOURCE_RECONNECTED) {
            return ResetReason.SOURCE_RECONNECTED;
        }
        if (frame.control == Control.RESET || s.pendingReset) {
            return ResetReason.RESET;
        }
        if (frame.seq > s.lastSeq + options.maxGapFrames()) {
            return ResetReason.GAP;
        }
        if (frame.width != s.width || frame.height != s.height) {
            return ResetReason.GEOMETRY_CHANGE;
        }
        return ResetReason.NONE;
    }

    private long runStart(TimerService timers) {
        if (runStartMs < 0) {
            runStartMs = timers.currentProcessingTime();
        }
        return runStartMs;
    }

    private void rearmIdleTimer(SequencerState s, Context ctx) {
        if (!options.idleTimeoutEnabled()) {
            return;
        }
        if (s.idleTimerMs != SequencerState.NO_TIMER) {
            ctx.timerService().deleteProcessingTimeTimer(s.idleTimerMs);
        }
        s.idleTimerMs = ctx.timerService().currentProcessingTime() + options.idleTimeout().toMillis();
        ctx.timerService().registerProcessingTimeTimer(s.idleTimerMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SequencedFrame> out) throws Exception {
        SequencerState s = state.value();
        if (s == null || s.idleTimerMs != timestamp) {
            return;
        }
        // Any deadline set in this run is at least runStart + idleTimeout; an earlier one was restored (see above).
        long earliestThisRun = runStart(ctx.timerService()) + options.idleTimeout().toMillis();
        if (timestamp < earliestThisRun) {
            s.idleTimerMs = earliestThisRun;
            ctx.timerService().registerProcessingTimeTimer(earliestThisRun);
            state.update(s);
            return;
        }
        endStream(s, ctx.getCurrentKey(), EndReason.IDLE_TIMEOUT, ctx.timerService(), out);
    }

    private void endStream(SequencerState s, String streamId, EndReason reason,
            TimerService timers, Collector<SequencedFrame> out) {
        if (s != null && s.idleTimerMs != SequencerState.NO_TIMER) {
            timers.deleteProcessingTimeTimer(s.idleTimerMs);
        }
        state.clear();
        streamsEnded.get(reason).inc();
        out.collect(SequencedFrame.end(streamId, reason));
    }
}
