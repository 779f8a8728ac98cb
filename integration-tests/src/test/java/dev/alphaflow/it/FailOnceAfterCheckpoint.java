package dev.alphaflow.it;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Passes records through, slowly, and throws once — after a checkpoint has completed and a given
 * number of records went by — to force a failover in the middle of a run. The flag is static because
 * the MiniCluster runs in the test's JVM, and "once" must hold across the job's restarts.
 */
final class FailOnceAfterCheckpoint<T> extends RichMapFunction<T, T> implements CheckpointListener {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean FAILED = new AtomicBoolean();

    private final long failAfterRecords;
    private final long delayMillisPerRecord;
    private transient long seen;
    private transient boolean checkpointCompleted;

    FailOnceAfterCheckpoint(long failAfterRecords, long delayMillisPerRecord) {
        this.failAfterRecords = failAfterRecords;
        this.delayMillisPerRecord = delayMillisPerRecord;
    }

    @Override
    public T map(T value) throws Exception {
        seen++;
        if (!FAILED.get() && checkpointCompleted && seen >= failAfterRecords) {
            FAILED.set(true);
            throw new IllegalStateException("injected failure after " + seen + " records");
        }
        // Pacing, so that several checkpoints complete while the input is still being read.
        Thread.sleep(delayMillisPerRecord);
        return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointCompleted = true;
    }
}
