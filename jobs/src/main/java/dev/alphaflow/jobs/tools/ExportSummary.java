package dev.alphaflow.jobs.tools;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What an {@link Export} run wrote: per stream and in total. */
public final class ExportSummary {

    /**
     * One stream's output folder.
     *
     * @param mattes distinct mattes written to {@code alpha/}
     * @param composites frames written to {@code composite/} (mattes whose frame was found)
     * @param video {@code composite.mp4}, or null when none was written
     * @param endSeen whether the stream's END frame was seen in the frames topic
     */
    public record StreamExport(String streamId, Path directory, long mattes, long composites, Path video,
            long videoFrames, double fps, boolean endSeen) {}

    private final Path outputDir;
    private final Map<String, StreamExport> streams;
    private final long duplicatesSkipped;
    private final boolean complete;
    private final double seconds;
    private final Map<String, StreamStats> stats;
    private final Map<String, Long> deadLetters;
    private final Map<String, TruthScore> truth;

    ExportSummary(Path outputDir, Map<String, StreamExport> streams, long duplicatesSkipped, boolean complete,
            double seconds, Map<String, StreamStats> stats, Map<String, Long> deadLetters, Map<String, TruthScore> truth) {
        this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
        this.streams = Collections.unmodifiableMap(new LinkedHashMap<>(streams));
        this.duplicatesSkipped = duplicatesSkipped;
        this.complete = complete;
        this.seconds = seconds;
        this.stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
        this.deadLetters = deadLetters == null ? null : Collections.unmodifiableMap(new TreeMap<>(deadLetters));
        this.truth = Collections.unmodifiableMap(new TreeMap<>(truth));
    }

    /** The foreground IoU (alpha &ge; 0.5) of the streams that have a truth folder, by stream id. */
    public Map<String, TruthScore> truth() {
        return truth;
    }

    /** Processing times and state resets of a stream (as exported). */
    public StreamStats stats(String streamId) {
        stream(streamId); // names the streams when there is no such one
        return stats.get(streamId);
    }

    /** Dead letters of the exported streams by reason, or null when the dead-letter topic was not read. */
    public Map<String, Long> deadLetters() {
        return deadLetters;
    }

    public Path outputDir() {
        return outputDir;
    }

    /** Per stream id, sorted by id. */
    public Map<String, StreamExport> streams() {
        return streams;
    }

    public StreamExport stream(String streamId) {
        StreamExport s = streams.get(streamId);
        if (s == null) {
            throw new IllegalArgumentException("no mattes of stream " + streamId + " were exported; streams: "
                    + streams.keySet());
        }
        return s;
    }

    public long totalMattes() {
        return streams.values().stream().mapToLong(StreamExport::mattes).sum();
    }

    /** Mattes or frames read again for a (stream, seq) already seen: at-least-once delivery or a second replay. */
    public long duplicatesSkipped() {
        return duplicatesSkipped;
    }

    /** True when the stop condition was met; false when the export stopped on its idle timeout. */
    public boolean complete() {
        return complete;
    }

    public double seconds() {
        return seconds;
    }

    /** A figure as the summary prints it (and the report shows it): one decimal, or "n/a" without data. */
    public static String figure(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("exported %d mattes of %d stream(s) to %s in %.2f s%s", totalMattes(), streams.size(),
                outputDir, seconds, complete ? "" : " (stopped on the idle timeout)"));
        for (StreamExport s : streams.values()) {
            sb.append(String.format("%n  %s: %d mattes, %d composites%s%s", s.streamId(), s.mattes(), s.composites(),
                    s.video() == null ? "" : String.format(", %s (%d frames @ %.2f fps)", s.video().getFileName(),
                            s.videoFrames(), s.fps()),
                    s.endSeen() ? ", END" : ""));
            StreamStats st = stats.get(s.streamId());
            if (st != null) {
                sb.append(String.format("%n    %s", st.describe()));
            }
            TruthScore t = truth.get(s.streamId());
            if (t != null) {
                sb.append(String.format("%n    %s", t.describe()));
            }
        }
        if (deadLetters != null) {
            sb.append(String.format("%n  dead letters: %s", deadLetters.isEmpty() ? "none" : deadLetters));
        }
        return sb.toString();
    }
}
