package dev.alphaflow.jobs.view;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.Compositor;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;

/**
 * What the view knows of every stream: the latest composite, counters, and short histories of frames/s and latency.
 * Fed by one consumer thread, read by the HTTP threads; every method is synchronized, the state is small.
 */
final class StreamBoard {
    /** Frames kept per stream while their matte has not arrived; older ones are dropped (the view shows the latest). */
    private static final int MAX_PENDING_FRAMES = 32;
    /** Points in each history chart (one per second). */
    static final int HISTORY = 60;

    private final Background background;
    private final Map<String, Stream> streams = new TreeMap<>();
    private final Map<DeadLetterReason, Long> deadLetters = new EnumMap<>(DeadLetterReason.class);

    StreamBoard(Background background) {
        this.background = background;
    }

    /** One stream's state. */
    static final class Stream {
        final String id;
        final TreeMap<Long, Frame> pending = new TreeMap<>();
        // The two topics are read side by side, so a matte may arrive before its frame: it waits here for it.
        final TreeMap<Long, Matte> waitingMattes = new TreeMap<>();
        long mattes;
        long resets;
        String lastResetReason;
        long lastSeq = -1;
        long lastLatencyMs = -1;
        boolean ended;
        long endSeq = -1;
        long deadLetters;
        // The newest (frame, matte) pair; it is composited when the page asks for it, not for every matte.
        Frame compositeFrame;
        Matte compositeMatte;
        long compositeSeq = -1;
        byte[] compositeJpeg;
        long jpegSeq = -1;
        long lastOutputAtMs;
        // One-second buckets: mattes seen in the current second, and the latencies' sum.
        long bucketStartMs;
        long bucketCount;
        long bucketLatencySum;
        final Deque<double[]> history = new ArrayDeque<>(); // {fps, mean latency ms}

        Stream(String id) {
            this.id = id;
        }
    }

    synchronized void onFrame(Frame frame) {
        Stream s = stream(frame.getStreamId().toString());
        if (frame.getControl() == Control.END) {
            s.endSeq = frame.getSeq();
            s.ended = s.lastSeq >= s.endSeq - 1;
        }
        if (frame.getPayload().remaining() > 0) {
            Matte waiting = s.waitingMattes.remove(frame.getSeq());
            if (waiting != null) {
                s.waitingMattes.headMap(frame.getSeq()).clear();
                drawComposite(s, frame, waiting);
                return;
            }
            s.pending.put(frame.getSeq(), frame);
            while (s.pending.size() > MAX_PENDING_FRAMES) {
                s.pending.pollFirstEntry();
            }
        }
    }

    /**
     * Records a matte; composites it over its frame when that frame has been seen.
     *
     * @param nowMs when the output became visible here; latency = now − the frame's event time
     */
    synchronized void onMatte(Matte matte, long nowMs) {
        Stream s = stream(matte.getStreamId().toString());
        if (matte.getSeq() <= s.lastSeq) {
            return; // a duplicate of an at-least-once run
        }
        s.lastSeq = matte.getSeq();
        s.mattes++;
        if (matte.getStateReset()) {
            s.resets++;
            s.lastResetReason = matte.getResetReason() == null ? null : matte.getResetReason().toString();
        }
        s.lastLatencyMs = Math.max(0, nowMs - matte.getEventTimeMs());
        s.lastOutputAtMs = nowMs;
        roll(s, nowMs);
        s.bucketCount++;
        s.bucketLatencySum += s.lastLatencyMs;
        Frame frame = s.pending.remove(matte.getSeq());
        s.pending.headMap(matte.getSeq()).clear();
        if (s.endSeq >= 0 && s.lastSeq >= s.endSeq - 1) {
            s.ended = true;
        }
        if (frame != null) {
            drawComposite(s, frame, matte);
        } else {
            s.waitingMattes.put(matte.getSeq(), matte);
            while (s.waitingMattes.size() > MAX_PENDING_FRAMES) {
                s.waitingMattes.pollFirstEntry();
            }
        }
    }

    /** The frame and its matte become the stream's latest composite (drawn on request), unless a newer one is. */
    private void drawComposite(Stream s, Frame frame, Matte matte) {
        if (matte.getSeq() <= s.compositeSeq) {
            return;
        }
        s.compositeFrame = frame;
        s.compositeMatte = matte;
        s.compositeSeq = matte.getSeq();
    }

    synchronized void onDeadLetter(DeadLetter dl) {
        deadLetters.merge(dl.getReason(), 1L, Long::sum);
        if (dl.getStreamId() != null) {
            stream(dl.getStreamId().toString()).deadLetters++;
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

    /** The latest composite JPEG of a stream, or null. */
    synchronized byte[] composite(String streamId) {
        Stream s = streams.get(streamId);
        if (s == null || s.compositeFrame == null) {
            return null;
        }
        if (s.jpegSeq != s.compositeSeq) {
            RgbImage image = ImageCodec.decode(bytes(s.compositeFrame));
            byte[] alpha = ImageCodec.decodeGray8Png(bytes(s.compositeMatte.getAlphaPng()));
            RgbImage out = Compositor.composite(image, alpha, background.forSize(image.width(), image.height()));
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
                    .append(",\"mattes\":").append(s.mattes)
                    .append(",\"lastSeq\":").append(s.lastSeq)
                    .append(",\"compositeSeq\":").append(s.compositeSeq)
                    .append(",\"fps\":").append(fps)
                    .append(",\"latencyMs\":").append(s.lastLatencyMs)
                    .append(",\"resets\":").append(s.resets)
                    .append(",\"lastResetReason\":").append(s.lastResetReason == null ? "null" : Json.quote(s.lastResetReason))
                    .append(",\"deadLetters\":").append(s.deadLetters)
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

    /** Counters by stream, for tests and the log. */
    synchronized Map<String, Long> matteCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        streams.forEach((id, s) -> out.put(id, s.mattes));
        return out;
    }

    private Stream stream(String id) {
        return streams.computeIfAbsent(id, Stream::new);
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
