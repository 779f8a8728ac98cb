package dev.alphaflow.operators.metrics;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.function.SerializableFunction;

import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;

/**
 * What a sink measures about each record it writes, in the sink's own metric group: the record serializer calls
 * {@link #open} once and {@link #written} for every record, at the moment the sink writes it.
 *
 * <pre>{@code
 * SinkMetrics<Matte> metrics = SinkMetrics.results(Matte::getEventTimeMs);
 * metrics.open(context.getMetricGroup());
 * metrics.written(matte, System.currentTimeMillis());
 * }</pre>
 */
public interface SinkMetrics<T> extends Serializable {

    /** Registers the metrics in {@code group}. */
    void open(MetricGroup group);

    /** Counts {@code record}, written at wall-clock time {@code nowMs}. */
    void written(T record, long nowMs);

    /**
     * For a job's results: counter {@value AlphaflowMetrics#FRAMES_OUT} and histogram
     * {@value AlphaflowMetrics#END_TO_END_LATENCY_MS} (now − the frame's event time). With exactly-once delivery a
     * reader sees the result only when the checkpoint after this moment commits; add up to a checkpoint interval.
     */
    static <T> SinkMetrics<T> results(SerializableFunction<T, Long> eventTimeMs) {
        return new Results<>(eventTimeMs);
    }

    /** For the dead-letter sink: counter {@value AlphaflowMetrics#DEAD_LETTERS} per reason. */
    static SinkMetrics<DeadLetter> deadLetters() {
        return new DeadLetters();
    }

    /** See {@link #results}. */
    final class Results<T> implements SinkMetrics<T> {
        private static final long serialVersionUID = 1L;
        private final SerializableFunction<T, Long> eventTimeMs;
        private transient Counter framesOut;
        private transient Histogram latency;

        private Results(SerializableFunction<T, Long> eventTimeMs) {
            this.eventTimeMs = Objects.requireNonNull(eventTimeMs, "eventTimeMs");
        }

        @Override
        public void open(MetricGroup group) {
            framesOut = group.counter(AlphaflowMetrics.FRAMES_OUT);
            latency = AlphaflowMetrics.histogram(group, AlphaflowMetrics.END_TO_END_LATENCY_MS);
        }

        @Override
        public void written(T record, long nowMs) {
            framesOut.inc();
            Long eventTime = eventTimeMs.apply(record);
            if (eventTime != null) {
                // A producer's clock ahead of ours would give a negative latency; it counts as none.
                latency.update(Math.max(0, nowMs - eventTime));
            }
        }
    }

    /** See {@link #deadLetters}. */
    final class DeadLetters implements SinkMetrics<DeadLetter> {
        private static final long serialVersionUID = 1L;
        private transient Map<DeadLetterReason, Counter> byReason;

        private DeadLetters() {}

        @Override
        public void open(MetricGroup group) {
            byReason = AlphaflowMetrics.countersByReason(group, AlphaflowMetrics.DEAD_LETTERS,
                    EnumSet.allOf(DeadLetterReason.class));
        }

        @Override
        public void written(DeadLetter record, long nowMs) {
            byReason.get(record.getReason()).inc();
        }
    }
}
