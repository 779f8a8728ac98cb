package dev.alphaflow.jobs.view;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.Compositor;
import dev.alphaflow.jobs.tools.InstancesExport;
import dev.alphaflow.jobs.tools.SegmentExport;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.Segmentation;

/**
 * What the view knows of every stream: the latest composite, counters, and short histories of frames/s and latency.
 * A stream is one stream id of one output topic (mattes, segments or instances): a camera that is both matted and
 * segmented is two cards. Fed by one consumer thread, read by the HTTP threads; every method is synchronized, the
 * state is small.
 */
final class StreamBoard {
    /** The output topics the view shows; the composite of each is drawn as its export tool draws it. */
    enum Kind {
        MATTES, SEGMENTS, INSTANCES;

        /** As the page and the {@code kind} query parameter name it. */
        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** One output record with the fields every kind has; {@code record} is the Matte, Segmentation or Instances. */
    record Output(Kind kind, String streamId, long seq, long eventTimeMs, boolean stateReset, String resetReason,
            Object record) {
        static Output of(Matte m) {
            return new Output(Kind.MATTES, m.getStreamId().toString(), m.getSeq(), m.getEventTimeMs(),
                    m.getStateReset(), m.getResetReason() == null ? null : m.getResetReason().toString(), m);
        }

        static Output of(Segmentation s) {
            return new Output(Kind.SEGMENTS, s.getStreamId(), s.getSeq(), s.getEventTimeMs(), s.getStateReset(),
                    s.getResetReason(), s);
        }

        /** Instances carry no reset flag: the detector keeps no state across frames. */
        static Output of(Instances i) {
            return new Output(Kind.INSTANCES, i.getStreamId(), i.getSeq(), i.getEventTimeMs(), false, null, i);
        }
    }

    /** Frames kept per stream while their matte has not arrived; older ones are dropped (the view shows the latest). */
    private static final int MAX_PENDING_FRAMES = 32;
    /** Points in each history chart (one per second). */
    static final int HISTORY = 60;

    private final Background background;
    /** By "kind/stream id", so the page lists them in a stable order. */
    private final Map<String, Stream> streams = new TreeMap<>();
    // Frames are shared by every kind of output of their stream id; trimmed by count, not taken by one output.
    private final Map<String, TreeMap<Long, Frame>> pendingFrames = new TreeMap<>();
    private final Map<String, Long> endSeqs = new TreeMap<>();
    private final Map<String, Long> deadLettersByStream = new TreeMap<>();
    private final Map<DeadLetterReason, Long> deadLetters = new EnumMap<>(DeadLetterReason.class);

    StreamBoard(Background background) {
        this.background = background;
    }

    /** One stream's state. */
    static final class Stream {
        final Kind kind;
        final String id;
        // The topics are read side by side, so an output may arrive before its frame: it waits here for it.
        final TreeMap<Long, Output> waiting = new TreeMap<>();
        long outputs;
        long resets;
        String lastResetReason;
        long lastSeq = -1;
        long lastLatencyMs = -1;
        boolean ended;
        long endSeq = -1;
        // The newest (frame, output) pair; it is composited when the page asks for it, not for every output.
        Frame compositeFrame;
        Output compositeOutput;
        long compositeSeq = -1;
        byte[] compositeJpeg;
        long jpegSeq = -1;
        long lastOutputAtMs;
        // One-second buckets: mattes seen in the current second, and the latencies' sum.
        long bucketStartMs;
        long bucketCount;
        long bucketLatencySum;
        final Deque<double[]> history = new ArrayDeque<>(); // {fps, mean latency ms}

        Stream(Kind kind, String id) {
            this.kind = kind;
            this.id = id;
        }
    }

    synchronized void onFrame(Frame frame) {
        String id = frame.getStreamId().toString();
        if (frame.getControl() == Control.END) {
            endSeqs.put(id, frame.getSeq());
            for (Stream s : streamsOf(id)) {
                s.endSeq = frame.getSeq();
                s.ended = s.lastSeq >= s.endSeq - 1;
            }
        }
        if (frame.getPayload().remaining() > 0) {
            TreeMap<Long, Frame> pending = pendingFrames.computeIfAbsent(id, k -> new TreeMap<>());
            pending.put(frame.getSeq(), frame);
            while (pending.size() > MAX_PENDING_FRAMES) {
                pending.pollFirstEntry();
            }
            for (Stream s : streamsOf(id)) {
                Output waiting = s.waiting.remove(frame.getSeq());
                if (waiting != null) {
                    s.waiting.headMap(frame.getSeq()).clear();
                    drawComposite(s, frame, waiting);
                }
            }
        }
    }

    /**
     * Records an output; composites it over its frame when that frame has been seen.
     *
     * @param nowMs when the output became visible here; latency = now − the frame's event time
     */
    synchronized void onOutput(Output out, long nowMs) {
        Stream s = stream(out.kind(), out.streamId());
        if (out.seq() <= s.lastSeq) {
            return; // a duplicate of an at-least-once run
        }
        s.lastSeq = out.seq();
        s.outputs++;
        if (out.stateReset()) {
            s.resets++;
            s.lastResetReason = out.resetReason();
        }
        s.lastLatencyMs = Math.max(0, nowMs - out.eventTimeMs());
        s.lastOutputAtMs = nowMs;
        roll(s, nowMs);
        s.bucketCount++;
        s.bucketLatencySum += s.lastLatencyMs;
        if (s.endSeq >= 0 && s.lastSeq >= s.endSeq - 1) {
            s.ended = true;
        }
        TreeMap<Long, Frame> pending = pendingFrames.get(out.streamId());
        Frame frame = pending == null ? null : pending.get(out.seq());
        if (frame != null) {
            drawComposite(s, frame, out);
        } else {
            s.waiting.put(out.seq(), out);
            while (s.waiting.size() > MAX_PENDING_FRAMES) {
                s.waiting.pollFirstEntry();
            }
        }
    }

    /** The frame and its output become the stream's latest composite (drawn on request), unless a newer one is. */
    private void drawComposite(Stream s, Frame frame, Output out) {
        if (out.seq() <= s.compositeSeq) {
            return;
        }
        s.compositeFrame = frame;
        s.compositeOutput = out;
        s.compositeSeq = out.seq();
    }

    synchronized void onDeadLetter(DeadLetter dl) {
        deadLetters.merge(dl.getReason(), 1L, Long::sum);
        if (dl.getStreamId() != null) {
            // By stream id: every card of the stream shows them (the frame never reached any model).
            deadLettersByStream.merge(dl.getStreamId().toString(), 1L, Long::sum);
        }
    }

    /** Closes the one-second buckets up to {@code nowMs}, so idle streams' charts fall to zero. */
    synchronized void tick(long nowMs) {
        for (Stream s : streams.values()) {
            roll(s, nowMs);
        }
    }

    private static void roll(Stream s, long nowMs) {
        if (s.bucketStartMs == 0) {
            s.bucketStartMs = nowMs;
        }
        while (nowMs - s.bucketStartMs >= 1000) {
            double latency = s.bucketCount == 0 ? Double.NaN : (double) s.bucketLatencySum / s.bucketCount;
            s.history.addLast(new double[] {s.bucketCount, latency});
            while (s.history.size() > HISTORY) {
                s.history.removeFirst();
            }
            s.bucketCount = 0;
            s.bucketLatencySum = 0;
            s.bucketStartMs += 1000;
            if (nowMs - s.bucketStartMs > HISTORY * 1000L) {
                s.bucketStartMs = nowMs; // long idle: do not emit a minute of empty buckets one by one
            }
        }
    }

    /** The latest composite JPEG of a stream of that kind, or null. */
    synchronized byte[] composite(Kind kind, String streamId) {
        Stream s = streams.get(key(kind, streamId));
        if (s == null || s.compositeFrame == null) {
            return null;
        }
        if (s.jpegSeq != s.compositeSeq) {
            RgbImage image = ImageCodec.decode(bytes(s.compositeFrame));
            RgbImage out = switch (s.kind) {
                case MATTES -> Compositor.composite(image,
                        ImageCodec.decodeGray8Png(bytes(((Matte) s.compositeOutput.record()).getAlphaPng())),
                        background.forSize(image.width(), image.height()));
                case SEGMENTS -> SegmentExport.overlay(image, (Segmentation) s.compositeOutput.record());
                case INSTANCES -> InstancesExport.overlay(image, (Instances) s.compositeOutput.record());
            };
            s.compositeJpeg = ImageCodec.encodeJpeg(out, 0.85f);
            s.jpegSeq = s.compositeSeq;
        }
        return s.compositeJpeg;
    }

    /** The board as JSON, for the page's server-sent events. */
    synchronized String toJson() {
        StringBuilder b = new StringBuilder("{\"streams\":[");
        boolean first = true;
        for (Stream s : streams.values()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            double fps = s.history.isEmpty() ? 0 : s.history.peekLast()[0];
            b.append("{\"id\":").append(Json.quote(s.id))
                    .append(",\"kind\":").append(Json.quote(s.kind.id()))
                    .append(",\"outputs\":").append(s.outputs)
                    .append(",\"lastSeq\":").append(s.lastSeq)
                    .append(",\"compositeSeq\":").append(s.compositeSeq)
                    .append(",\"fps\":").append(fps)
                    .append(",\"latencyMs\":").append(s.lastLatencyMs)
                    .append(",\"resets\":").append(s.resets)
                    .append(",\"lastResetReason\":").append(s.lastResetReason == null ? "null" : Json.quote(s.lastResetReason))
                    .append(",\"deadLetters\":").append(deadLettersByStream.getOrDefault(s.id, 0L))
                    .append(",\"ended\":").append(s.ended)
                    .append(",\"fpsHistory\":").append(Json.array(s.history, 0))
                    .append(",\"latencyHistory\":").append(Json.array(s.history, 1))
                    .append('}');
        }
        b.append("],\"deadLetters\":{");
        first = true;
        for (Map.Entry<DeadLetterReason, Long> e : deadLetters.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(Json.quote(e.getKey().name())).append(':').append(e.getValue());
        }
        return b.append("}}").toString();
    }

    private Stream stream(Kind kind, String id) {
        return streams.computeIfAbsent(key(kind, id), k -> {
            Stream s = new Stream(kind, id);
            s.endSeq = endSeqs.getOrDefault(id, -1L);
            return s;
        });
    }

    private List<Stream> streamsOf(String id) {
        List<Stream> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            Stream s = streams.get(key(k, id));
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private static String key(Kind kind, String id) {
        return kind.id() + "/" + id;
    }

    private static byte[] bytes(Frame f) {
        return bytes(f.getPayload());
    }

    private static byte[] bytes(java.nio.ByteBuffer buf) {
        java.nio.ByteBuffer d = buf.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
