package dev.alphaflow.jobs.ingest;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The frames of one source between capture and publishing: at most {@code capacity}; when full, the oldest frame is
 * dropped for the new one, so a slow broker costs old frames, never memory or latency. A dropped frame that asked
 * for a reset (the first after a reconnect) hands that request to the next frame, so the reset is never lost.
 */
final class FrameQueue {
    private final int capacity;
    private final ArrayDeque<CapturedFrame> frames;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private boolean closed;

    FrameQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.frames = new ArrayDeque<>(capacity);
    }

    /** Adds a frame; returns how many old frames were dropped for it (0 or 1). Frames offered after close are dropped. */
    int offer(CapturedFrame frame) {
        lock.lock();
        try {
            if (closed) {
                return 1;
            }
            int dropped = 0;
            if (frames.size() == capacity) {
                CapturedFrame oldest = frames.pollFirst();
                dropped = 1;
                if (oldest.resetCause() != null) {
                    CapturedFrame next = frames.pollFirst();
                    if (next == null) {
                        frame = frame.resetCause() == null ? frame.withResetCause(oldest.resetCause()) : frame;
                    } else {
                        frames.addFirst(next.resetCause() == null ? next.withResetCause(oldest.resetCause()) : next);
                    }
                }
            }
            frames.addLast(frame);
            notEmpty.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest frame, waiting up to {@code timeoutMs}; null on timeout or once closed and empty. */
    CapturedFrame poll(long timeoutMs) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (frames.isEmpty()) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return frames.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** No more frames are accepted; those queued can still be polled. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return frames.size();
        } finally {
            lock.unlock();
        }
    }
}
