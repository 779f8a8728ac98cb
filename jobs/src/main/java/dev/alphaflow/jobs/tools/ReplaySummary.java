package dev.alphaflow.jobs.tools;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a {@link Replay} run published: per stream and in total. */
public final class ReplaySummary {

    /** One stream's frames; {@code frames} counts frames with pixels, not the END marker. */
    public record StreamSummary(String streamId, long frames, long payloadBytes, int width, int height,
            boolean endSent, double fps) {}

    private final Map<String, StreamSummary> streams;
    private final double seconds;

    ReplaySummary(Map<String, StreamSummary> streams, double seconds) {
        this.streams = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(streams, "streams")));
        this.seconds = seconds;
    }

    /** Per stream id, in input order. */
    public Map<String, StreamSummary> streams() {
        return streams;
    }

    public StreamSummary stream(String streamId) {
        StreamSummary s = streams.get(streamId);
        if (s == null) {
            throw new IllegalArgumentException("no stream " + streamId + " in this replay; streams: " + streams.keySet());
        }
        return s;
    }

    public long totalFrames() {
        return streams.values().stream().mapToLong(StreamSummary::frames).sum();
    }

    /** Bytes of encoded pixels sent (the Frame payloads, without keys and Avro framing). */
    public long totalPayloadBytes() {
        return streams.values().stream().mapToLong(StreamSummary::payloadBytes).sum();
    }

    /** Wall time of the replay, from the first frame read to the last one acknowledged. */
    public double seconds() {
        return seconds;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("replayed %d frames (%.1f MiB) of %d stream(s) in %.2f s",
                totalFrames(), totalPayloadBytes() / (1024.0 * 1024.0), streams.size(), seconds));
        for (StreamSummary s : streams.values()) {
            sb.append(String.format("%n  %s: %d frames %dx%d @ %.2f fps, %.1f MiB%s", s.streamId(), s.frames(),
                    s.width(), s.height(), s.fps(), s.payloadBytes() / (1024.0 * 1024.0), s.endSent() ? ", END" : ""));
        }
        return sb.toString();
    }
}
