package dev.alphaflow.jobs.ingest;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of one source, updated by its capture and publish threads and read by the status lines and the
 * metrics endpoint. Frames per second are counted over the last {@value #RATE_WINDOW_MS} ms of published frames.
 */
final class SourceHealth {
    static final long RATE_WINDOW_MS = 5_000;

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private volatile boolean connected;
    private volatile long lastFrameMs = -1;
    private volatile String lastError;
    private final ArrayDeque<Long> recent = new ArrayDeque<>(); // publish times (ms) within the rate window

    /** What a status line or a scrape shows. {@code lastFrameAgeMs} is -1 before the first frame. */
    record Snapshot(boolean connected, double framesPerSecond, long published, long dropped, long reconnects,
            long sendErrors, long lastFrameAgeMs, String lastError) {}

    void connected(boolean now) {
        connected = now;
    }

    void reconnected() {
        reconnects.incrementAndGet();
    }

    void dropped(long frames) {
        dropped.addAndGet(frames);
    }

    void failed(String error) {
        lastError = error;
    }

    void sendFailed(String error) {
        sendErrors.incrementAndGet();
        lastError = error;
    }

    void published(long captureTimeMs, long nowMs) {
        published.incrementAndGet();
        lastFrameMs = captureTimeMs;
        synchronized (recent) {
            recent.addLast(nowMs);
            prune(nowMs);
        }
    }

    private void prune(long nowMs) {
        while (!recent.isEmpty() && recent.peekFirst() < nowMs - RATE_WINDOW_MS) {
            recent.pollFirst();
        }
    }

    long publishedCount() {
        return published.get();
    }

    Snapshot snapshot(long nowMs) {
        double fps;
        synchronized (recent) {
            prune(nowMs);
            fps = recent.size() * 1000.0 / RATE_WINDOW_MS;
        }
        long last = lastFrameMs;
        return new Snapshot(connected, fps, published.get(), dropped.get(), reconnects.get(), sendErrors.get(),
                last < 0 ? -1 : Math.max(0, nowMs - last), lastError);
    }
}
