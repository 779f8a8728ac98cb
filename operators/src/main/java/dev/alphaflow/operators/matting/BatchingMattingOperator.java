package dev.alphaflow.operators.matting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmResult;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.RecurrentStateTypeInfo;

/**
 * {@link MattingFunction} with cross-stream batching: frames of different streams are run through the
 * model together, one {@code session.run} per batch. A batch holds at most one frame per stream (a
 * recurrent model needs frame t's state before frame t+1), so a second frame of a buffered stream
 * flushes the batch first. A batch also flushes when it reaches {@code maxBatchSize} frames, when its
 * oldest frame has waited {@code maxDelayMillis}, at end of input, and before every checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}) — so no buffered frame is ever outside a checkpoint, and the
 * records and state are the same as {@link MattingFunction}'s.
 *
 * <p>Same state name and serializer as {@link MattingFunction}, so a savepoint of either can be
 * restored into the other. Runs on a keyed stream:
 *
 * <pre>{@code
 * sequenced.keyBy(SequencedFrame.byStreamId(), Types.STRING)
 *     .transform("matting", OperatorTypes.MATTED_FRAME, new BatchingMattingOperator(spec, 4, 20));
 * }</pre>
 */
public class BatchingMattingOperator extends AbstractStreamOperator<MattedFrame>
        implements OneInputStreamOperator<SequencedFrame, MattedFrame>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Histogram of flushed batch sizes. */
    public static final String BATCH_SIZE_METRIC = "batchSize";

    private final MattingSpec spec;
    private final int maxBatchSize;
    private final long maxDelayMillis;

    private transient RvmMatter matter;
    private transient ValueState<RecurrentState> state;
    /** Buffered frames by stream id, in arrival order. */
    private transient Map<String, SequencedFrame> pending;
    private transient boolean flushTimerSet;
    private transient Counter framesMatted;
    private transient Counter stateResets;
    private transient Counter inferenceFailures;
    private transient Histogram batchSizes;
    private transient Histogram inferenceMs;

    /**
     * @param maxBatchSize frames per model run, at least 1 (1 = no batching)
     * @param maxDelayMillis how long a frame may wait for others; non-positive = flush every frame at once
     */
    public BatchingMattingOperator(MattingSpec spec, int maxBatchSize, long maxDelayMillis) {
        this.spec = Objects.requireNonNull(spec, "spec");
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1: " + maxBatchSize);
        }
        this.maxBatchSize = maxBatchSize;
        this.maxDelayMillis = maxDelayMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>(MattingFunction.STATE_NAME, RecurrentStateTypeInfo.INSTANCE));
        matter = spec.openMatter();
        pending = new LinkedHashMap<>();
        framesMatted = getMetricGroup().counter(MattingFunction.FRAMES_MATTED_METRIC);
        stateResets = getMetricGroup().counter(MattingFunction.STATE_RESETS_METRIC);
        inferenceFailures = getMetricGroup().counter(MattingFunction.INFERENCE_FAILURES_METRIC);
        batchSizes = getMetricGroup().histogram(BATCH_SIZE_METRIC, new DescriptiveStatisticsHistogram(1000));
        inferenceMs = AlphaflowMetrics.histogram(getMetricGroup(), AlphaflowMetrics.INFERENCE_MS);
    }

    @Override
    public void processElement(StreamRecord<SequencedFrame> record) throws Exception {
        SequencedFrame element = record.getValue();
        String streamId = (String) getCurrentKey();
        if (pending.containsKey(streamId)) {
            flush(); // at most one frame per stream in a batch
            setCurrentKey(streamId);
        }
        if (element.isEnd()) {
            state.clear();
            return;
        }
        pending.put(streamId, element);
        if (pending.size() >= maxBatchSize || maxDelayMillis <= 0) {
            flush();
        } else if (!flushTimerSet) {
            flushTimerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxDelayMillis, time -> {
                flushTimerSet = false;
                flush();
            });
        }
    }

    /** Runs every buffered frame, batched where frame and state shapes allow, and emits in arrival order. */
    private void flush() throws Exception {
        if (pending.isEmpty()) {
            return;
        }
        batchSizes.update(pending.size());
        List<String> keys = new ArrayList<>(pending.keySet());
        List<MattingStep> steps = new ArrayList<>(keys.size());
        for (String key : keys) {
            setCurrentKey(key);
            SequencedFrame element = pending.get(key);
            steps.add(MattingStep.prepare(element, element.resetReason == ResetReason.NONE ? state.value() : null));
        }
        pending.clear();
        runBatched(steps);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (int i = 0; i < steps.size(); i++) {
            MattingStep step = steps.get(i);
            setCurrentKey(keys.get(i));
            if (step.failed()) {
                if (step.resetRequested) { // as MattingFunction: a failed frame leaves the state, bar its reset
                    state.clear();
                }
                inferenceFailures.inc();
                output.collect(MattingFunction.DEAD_LETTERS, new StreamRecord<>(step.toDeadLetter(now)));
                continue;
            }
            state.update(step.result().nextState());
            if (step.stateWasReset()) {
                stateResets.inc();
            }
            framesMatted.inc();
            inferenceMs.update(AlphaflowMetrics.millis(step.result().inferenceMicros()));
            output.collect(new StreamRecord<>(step.toMattedFrame(spec.card().id())));
        }
    }

    private void runBatched(List<MattingStep> steps) {
        if (steps.size() == 1) {
            steps.get(0).runAlone(matter);
            return;
        }
        List<RgbImage> images = new ArrayList<>(steps.size());
        List<RecurrentState> states = new ArrayList<>(steps.size());
        for (MattingStep step : steps) {
            images.add(step.image);
            states.add(step.startState);
        }
        try {
            List<RvmResult> results = matter.inferBatch(images, states);
            for (int i = 0; i < steps.size(); i++) {
                steps.get(i).completed(results.get(i));
            }
        } catch (InferenceException e) {
            // One bad frame (or state) must not fail its batch-mates: run each alone, with the per-frame rules.
            for (MattingStep step : steps) {
                step.runAlone(matter);
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (matter != null) {
                matter.close(); // releases the shared session
            }
        } finally {
            matter = null;
            super.close();
        }
    }
}
