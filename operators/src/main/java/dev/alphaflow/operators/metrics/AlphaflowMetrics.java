package dev.alphaflow.operators.metrics;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The names of the metrics alphaflow registers for monitoring (the README's "Metrics" section lists them as a
 * Prometheus scrape shows them), and the two ways they are made: counters kept per reason, and histograms.
 *
 * <p>Every metric lives in its operator's metric group, so a reporter labels it with the job, task, operator and
 * subtask. None is labelled by stream id: a camera fleet has hundreds of streams that come and go, and a label per
 * stream would give every series that many copies (the sink records carry the stream id for per-stream analysis).
 * Reasons are enums, so a per-reason label has a fixed, small number of values.
 */
public final class AlphaflowMetrics {
    private AlphaflowMetrics() {}

    /** Counter: Kafka records the frame source read (good or bad). */
    public static final String FRAMES_IN = "framesIn";

    /** Counter: results the job's sink wrote (mattes, segmentations, instances). */
    public static final String FRAMES_OUT = "framesOut";

    /** Counter per {@link #REASON_LABEL}: dead letters the dead-letter sink wrote, from any stage. */
    public static final String DEAD_LETTERS = "deadLetters";

    /** Counter per {@link #REASON_LABEL}: streams whose model memory the sequencer reset (first frame included). */
    public static final String STATE_RESETS = "stateResets";

    /** Histogram: model time per frame in milliseconds (for a batch, each frame's share). */
    public static final String INFERENCE_MS = "inferenceMs";

    /** Histogram: the frame's event time to the moment the sink writes its result, in milliseconds. */
    public static final String END_TO_END_LATENCY_MS = "endToEndLatencyMs";

    /** Histogram: feature-bank entries of a stream (all its objects) after each segmented frame. */
    public static final String BANK_ENTRIES = "bankEntries";

    /** The label (a Flink key-value metric group) of the counters kept per reason. */
    public static final String REASON_LABEL = "reason";

    /** Values a histogram keeps; its quantiles describe the last this many frames of the subtask. */
    public static final int HISTOGRAM_WINDOW = 1024;

    /** A histogram over the last {@value #HISTOGRAM_WINDOW} values, registered as {@code name} in {@code group}. */
    public static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    /**
     * One counter {@code name} per reason in {@code reasons}, each in the key-value group {@value #REASON_LABEL} =
     * the constant's name (Prometheus: {@code ..._reason_<name>{reason="GAP"}}), so that all reasons are one series
     * family. Every reason is registered up front, so a scrape shows zeros rather than nothing.
     */
    public static <E extends Enum<E>> Map<E, Counter> countersByReason(MetricGroup group, String name,
            Collection<E> reasons) {
        Map<E, Counter> counters = new HashMap<>();
        for (E reason : reasons) {
            counters.put(reason, group.addGroup(REASON_LABEL, reason.name()).counter(name));
        }
        return counters;
    }

    /** Microseconds as whole milliseconds, rounded to the nearest. */
    public static long millis(long micros) {
        return Math.round(micros / 1000.0);
    }
}
