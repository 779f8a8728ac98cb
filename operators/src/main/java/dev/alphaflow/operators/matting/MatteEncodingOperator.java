package dev.alphaflow.operators.matting;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.FlinkRuntimeException;

import dev.alphaflow.schemas.Matte;

/**
 * Encodes {@link MattedFrame}s into {@link Matte}s (PNG) on a thread of its own, so that frame t's PNG is encoded while
 * the matting operator (chained before this one) runs the model on frame t+1. Mattes leave in input order.
 *
 * <p>At most {@code capacity} frames are being encoded or waiting to leave; a full queue makes the task wait for the
 * oldest. Before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}), before a watermark and at end of input
 * the queue is drained, so every matte of a frame that arrived before the barrier is emitted before it: the operator
 * has no state, nothing it holds is ever outside a checkpoint, and delivery stays exactly-once.
 *
 * <pre>{@code
 * DataStream<Matte> mattes = matted.transform("encode PNG", OperatorTypes.MATTE, MatteEncodingOperator.factory(4));
 * }</pre>
 */
public final class MatteEncodingOperator extends AbstractStreamOperator<Matte>
        implements OneInputStreamOperator<MattedFrame, Matte>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final int capacity;
    private final transient MailboxExecutor mailbox;

    private transient ExecutorService encoder;
    private transient ArrayDeque<Pending> inFlight;

    private record Pending(CompletableFuture<Matte> matte, boolean hasTimestamp, long timestamp) {}

    private MatteEncodingOperator(StreamOperatorParameters<Matte> parameters, int capacity) {
        super(parameters);
        this.capacity = capacity;
        this.mailbox = parameters.getMailboxExecutor();
    }

    /** The operator's factory, for {@code DataStream#transform}; {@code capacity} frames at most in flight. */
    public static OneInputStreamOperatorFactory<MattedFrame, Matte> factory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        return new Factory(capacity);
    }

    @Override
    public void open() throws Exception {
        super.open();
        inFlight = new ArrayDeque<>(capacity);
        String name = "matte-encoder " + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
        encoder = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void processElement(StreamRecord<MattedFrame> element) throws Exception {
        while (inFlight.size() >= capacity) {
            emitOldest();
        }
        MattedFrame frame = element.getValue();
        CompletableFuture<Matte> matte = CompletableFuture.supplyAsync(frame::encode, encoder);
        inFlight.add(new Pending(matte, element.hasTimestamp(), element.getTimestamp()));
        // Emit from the task thread as soon as the encode is done, not only when the next frame arrives.
        matte.whenComplete((m, failure) -> {
            try {
                mailbox.execute(this::emitCompleted, "emit encoded mattes");
            } catch (RejectedExecutionException e) {
                // the task is shutting down; whatever is left is drained or discarded with it
            }
        });
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        drain();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        drain(); // records before the watermark leave before it
        super.processWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        drain();
    }

    @Override
    public void finish() throws Exception {
        drain();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (encoder != null) {
                encoder.shutdownNow();
                encoder.awaitTermination(10, TimeUnit.SECONDS);
            }
        } finally {
            encoder = null;
            super.close();
        }
    }

    /** Emits the finished mattes at the head of the queue. */
    private void emitCompleted() throws Exception {
        while (inFlight != null && !inFlight.isEmpty() && inFlight.peek().matte().isDone()) {
            emitOldest();
        }
    }

    private void drain() throws Exception {
        while (inFlight != null && !inFlight.isEmpty()) {
            emitOldest();
        }
    }

    /** Waits for the oldest frame's matte and emits it. */
    private void emitOldest() throws Exception {
        Pending oldest = inFlight.poll();
        Matte matte;
        try {
            matte = oldest.matte().get();
        } catch (ExecutionException e) {
            throw new FlinkRuntimeException("encoding a matte failed: " + e.getCause(), e.getCause());
        }
        output.collect(oldest.hasTimestamp() ? new StreamRecord<>(matte, oldest.timestamp()) : new StreamRecord<>(matte));
    }

    private static final class Factory extends AbstractStreamOperatorFactory<Matte>
            implements OneInputStreamOperatorFactory<MattedFrame, Matte> {
        private static final long serialVersionUID = 1L;
        private final int capacity;

        Factory(int capacity) {
            this.capacity = capacity;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<Matte>> T createStreamOperator(StreamOperatorParameters<Matte> parameters) {
            return (T) new MatteEncodingOperator(parameters, capacity);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return MatteEncodingOperator.class;
        }
    }
}
