package dev.alphaflow.jobs.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one stream's outputs say about the run: the model's processing time per frame (the output's
 * {@code timingsMicros.total}: decode, model and encode, as the job measured it) and the state resets by reason. An
 * archive run's event times are the video's, not the wall clock's, so its speed is read from these timings, not from
 * arrival times. The export's printed summary and the HTML report both read their figures from here.
 *
 * @param processingMs per seq, the frame's processing time in ms; absent for outputs without a {@code total} timing
 * @param resets state resets by reason ("unknown" when the output gives none)
 */
public record StreamStats(SortedMap<Integer, Double> processingMs, SortedMap<String, Long> resets) {
    /** Frames per point of {@link #framesPerSecondSeries()}. */
    public static final int FPS_WINDOW = 10;

    public StreamStats {
        processingMs = Collections.unmodifiableSortedMap(new TreeMap<>(processingMs));
        resets = Collections.unmodifiableSortedMap(new TreeMap<>(resets));
    }

    public long totalResets() {
        return resets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The median processing time in ms, NaN without timings. */
    public double medianMs() {
        return percentileMs(50);
    }

    /** The 95th percentile processing time in ms (nearest rank), NaN without timings. */
    public double p95Ms() {
        return percentileMs(95);
    }

    private double percentileMs(double p) {
        if (processingMs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(processingMs.values());
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** Frames per second of processing time over the whole stream: frames / the sum of their times; NaN without. */
    public double framesPerSecond() {
        double sum = processingMs.values().stream().mapToDouble(Double::doubleValue).sum();
        return sum > 0 ? processingMs.size() * 1000.0 / sum : Double.NaN;
    }

    /**
     * The line the exports print per stream, with the figures the report shows: {@code processing: 15.0 ms median,
     * 21.0 ms p95, 64.5 frames/s; state resets: 2 {FIRST_FRAME=1, GAP=1}}.
     */
    public String describe() {
        return String.format("processing: %s ms median, %s ms p95, %s frames/s; state resets: %d%s",
                ExportSummary.figure(medianMs()), ExportSummary.figure(p95Ms()), ExportSummary.figure(framesPerSecond()),
                totalResets(), resets.isEmpty() ? "" : " " + resets);
    }

    /** Frames/s of processing time over consecutive windows of {@link #FPS_WINDOW} frames, keyed by the first seq. */
    public SortedMap<Integer, Double> framesPerSecondSeries() {
        SortedMap<Integer, Double> out = new TreeMap<>();
        List<Map.Entry<Integer, Double>> entries = new ArrayList<>(processingMs.entrySet());
        for (int i = 0; i < entries.size(); i += FPS_WINDOW) {
            List<Map.Entry<Integer, Double>> window = entries.subList(i, Math.min(entries.size(), i + FPS_WINDOW));
            double sum = window.stream().mapToDouble(Map.Entry::getValue).sum();
            if (sum > 0) {
                out.put(window.get(0).getKey(), window.size() * 1000.0 / sum);
            }
        }
        return out;
    }

    /** Collects one stream's outputs as they are read. */
    static final class Collector {
        private final SortedMap<Integer, Double> processingMs = new TreeMap<>();
        private final SortedMap<String, Long> resets = new TreeMap<>();

        /** One output, seen for the first time. */
        void add(int seq, Map<String, Long> timingsMicros, boolean stateReset, CharSequence resetReason) {
            Long total = timingsMicros == null ? null : timingsMicros.get("total");
            if (total != null) {
                processingMs.put(seq, total / 1000.0);
            }
            if (stateReset) {
                resets.merge(resetReason == null ? "unknown" : resetReason.toString(), 1L, Long::sum);
            }
        }

        StreamStats build() {
            return new StreamStats(processingMs, resets);
        }
    }
}
