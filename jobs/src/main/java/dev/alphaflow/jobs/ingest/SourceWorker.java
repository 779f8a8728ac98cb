package dev.alphaflow.jobs.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.ResetCause;

/**
 * Captures one source and publishes its frames as one stream, on two threads of its own.
 *
 * <p>The capture thread reads the source as fast as it delivers (a file: at the pace of its timestamps, started over
 * at its end), stamps each frame with the wall-clock capture time, skips frames above the {@code fps} cap and hands
 * the rest to a {@link FrameQueue} with the next seq. The publish thread encodes the oldest queued frame as JPEG and
 * sends it. When publishing falls behind, the queue drops its oldest frame (counted): the seq it had is missing, so
 * the job's sequencer sees the gap and resets the stream's memory when the gap is above its limit
 * ({@code alphaflow.sequencer.max-gap-frames}).
 *
 * <p>A lost source (an error, a read that times out, a network stream that ends) is opened again after a
 * {@link Backoff} delay, for as long as the worker runs. The first frame after a reconnect is a {@code RESET} with
 * {@code resetCause = SOURCE_RECONNECTED}, so the job starts the stream's memory over and says why. {@link #stop}
 * ends the stream with an END frame.
 */
final class SourceWorker {
    private static final Logger LOG = LoggerFactory.getLogger(SourceWorker.class);
    /** A file paced behind its timestamps by more than this catches up by starting its clock again, not in a burst. */
    private static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Where frames go: the Kafka producer in {@link Ingest}; failures are reported to {@code onError}. */
    interface FrameSink {
        void send(Frame frame, java.util.function.Consumer<Exception> onError);
    }

    private final SourceSpec spec;
    private final CaptureSettings settings;
    private final FrameSink sink;
    private final SourceHealth health = new SourceHealth();
    private final FrameQueue queue;
    private final Thread captureThread;
    private final Thread publishThread;
    private final Map<String, String> metadata;
    private volatile boolean stopping;
    private volatile LiveGrabber current;
    // written by the capture thread only
    private long nextSeq;
    // written by the publish thread only
    private int lastWidth;
    private int lastHeight;
    private volatile boolean endSent;

    SourceWorker(SourceSpec spec, CaptureSettings settings, FrameSink sink) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.queue = new FrameQueue(settings.queueCapacity());
        this.metadata = Map.of("source", spec.displayLocation(), "producer", "alphaflow-ingest");
        this.captureThread = new Thread(this::captureLoop, "ingest-capture-" + spec.streamId());
        this.publishThread = new Thread(this::publishLoop, "ingest-publish-" + spec.streamId());
        captureThread.setDaemon(true);
        publishThread.setDaemon(true);
    }

    SourceSpec spec() {
        return spec;
    }

    SourceHealth health() {
        return health;
    }

    void start() {
        captureThread.start();
        publishThread.start();
    }

    /**
     * Stops capturing, publishes what is queued, then the END frame; returns once done or after {@code timeout}
     * (a capture blocked in a network read ends within {@link CaptureSettings#timeout()}).
     */
    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        captureThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        queue.close();
        publishThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (captureThread.isAlive() || publishThread.isAlive()) {
            LOG.warn("source {} did not stop within {}", spec, timeout);
        }
    }

    boolean endSent() {
        return endSent;
    }

    private void captureLoop() {
        int failures = 0;
        boolean connectedOnce = false;
        FilePacer pacer = spec.kind() == SourceSpec.Kind.FILE ? new FilePacer() : null;
        FpsCap cap = settings.fps() > 0 ? new FpsCap(settings.fps()) : null;
        while (!stopping) {
            try (LiveGrabber g = LiveGrabber.open(spec, settings)) {
                current = g;
                health.connected(true);
                ResetCause cause = null;
                if (connectedOnce && pacer == null) {
                    health.reconnected();
                    cause = ResetCause.SOURCE_RECONNECTED;
                    LOG.info("source {} reconnected after {} failed attempt(s)", spec, failures);
                }
                connectedOnce = true;
                failures = 0;
                if (pacer != null) {
                    pacer.startLoop(g.fps(25));
                }
                cause = capture(g, pacer, cap, cause);
                if (pacer != null || stopping) {
                    continue; // a file starts over as if live; a stop ends here
                }
                throw new IOException(spec.displayLocation() + " ended the stream");
            } catch (IOException | RuntimeException e) {
                current = null;
                health.connected(false);
                health.failed(e.getMessage());
                if (stopping) {
                    break;
                }
                failures++;
                Duration delay = settings.backoff().delay(failures);
                LOG.info("source {}: {}; retrying in {} ms (attempt {})", spec, e.getMessage(), delay.toMillis(),
                        failures + 1);
                if (!sleep(delay)) {
                    break;
                }
            }
        }
        health.connected(false);
        current = null;
    }

    /** Reads frames until the source ends (returns) or fails (throws); returns a reset request not yet given. */
    private ResetCause capture(LiveGrabber g, FilePacer pacer, FpsCap cap, ResetCause cause) throws IOException {
        while (!stopping) {
            LiveGrabber.Grabbed grabbed = g.grab();
            if (grabbed == null) {
                if (pacer != null) {
                    pacer.endLoop();
                }
                return cause;
            }
            if (pacer != null && !pacer.await(grabbed.timestampMicros())) {
                return cause; // interrupted: stopping
            }
            long captureTimeMs = System.currentTimeMillis();
            if (cap != null && !cap.take(System.nanoTime())) {
                continue; // above the fps cap: not a frame of the stream, no seq
            }
            long dropped = queue.offer(new CapturedFrame(nextSeq++, captureTimeMs, grabbed.image(), cause));
            cause = null; // the queue carries it on to the next frame if this one is dropped
            health.dropped(dropped);
        }
        return cause;
    }

    private void publishLoop() {
        try {
            while (true) {
                CapturedFrame f = queue.poll(250);
                if (f == null) {
                    if (stopping && !captureThread.isAlive() && queue.size() == 0) {
                        break;
                    }
                    continue;
                }
                publish(f);
            }
            sendEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            health.sendFailed(e.toString());
            LOG.error("publishing source {} failed", spec, e);
        }
    }

    private void publish(CapturedFrame f) {
        byte[] jpeg = ImageCodec.encodeJpeg(f.image(), settings.jpegQuality());
        Frame frame = Frame.newBuilder()
                .setStreamId(spec.streamId())
                .setSeq(f.seq())
                .setEventTimeMs(f.captureTimeMs())
                .setCodec(Codec.JPEG)
                .setWidth(f.image().width())
                .setHeight(f.image().height())
                .setPayload(ByteBuffer.wrap(jpeg))
                .setControl(f.resetCause() != null ? Control.RESET : Control.NONE)
                .setResetCause(f.resetCause())
                .setMetadata(metadata)
                .build();
        try {
            sink.send(frame, e -> health.sendFailed("the broker rejected frame " + f.seq() + ": " + e));
        } catch (RuntimeException e) {
            // e.g. the producer's buffer stayed full for max.block.ms (broker unreachable): this frame is lost,
            // the stream goes on
            health.sendFailed("cannot send frame " + f.seq() + ": " + e);
            health.dropped(1);
            return;
        }
        lastWidth = f.image().width();
        lastHeight = f.image().height();
        health.published(f.captureTimeMs(), System.currentTimeMillis());
    }

    private void sendEnd() {
        Frame end = Frame.newBuilder()
                .setStreamId(spec.streamId())
                .setSeq(nextSeq) // the capture thread has ended: no frame takes this seq
                .setEventTimeMs(System.currentTimeMillis())
                .setCodec(Codec.JPEG)
                .setWidth(lastWidth)
                .setHeight(lastHeight)
                .setPayload(ByteBuffer.allocate(0))
                .setControl(Control.END)
                .setMetadata(metadata)
                .build();
        try {
            sink.send(end, e -> health.sendFailed("the broker rejected the END frame: " + e));
            endSent = true;
        } catch (RuntimeException e) {
            health.sendFailed("cannot send the END frame: " + e);
        }
    }

    private boolean sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (!stopping && System.nanoTime() < until) {
                TimeUnit.NANOSECONDS.sleep(Math.min(until - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return !stopping;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Paces a file by its timestamps on the wall clock, with one clock across loops, so a looped file delivers frames
     * as a camera would.
     */
    private final class FilePacer {
        private long clockStartNanos = -1;
        private long loopOffsetMicros; // media time at which the current loop starts
        private long firstPts = -1;
        private long lastPts;
        private double fps = 25;

        void startLoop(double loopFps) {
            this.fps = loopFps;
            firstPts = -1;
        }

        void endLoop() {
            if (firstPts >= 0) {
                loopOffsetMicros += lastPts - firstPts + Math.round(1e6 / fps);
            }
        }

        /** Waits until the frame at {@code pts} is due; false when the worker is stopping. */
        boolean await(long pts) {
            if (firstPts < 0) {
                firstPts = pts;
            }
            lastPts = Math.max(pts, firstPts);
            long now = System.nanoTime();
            if (clockStartNanos < 0) {
                clockStartNanos = now;
            }
            long due = clockStartNanos + (loopOffsetMicros + lastPts - firstPts) * 1_000;
            if (now - due > MAX_LAG_NANOS) {
                clockStartNanos += now - due; // too far behind (a slow machine): go on from now, no burst
                return true;
            }
            return due <= now || sleep(Duration.ofNanos(due - now));
        }
    }

    /** At most {@code fps} frames per second: a frame is taken when its turn has come, others are skipped. */
    static final class FpsCap {
        private final long intervalNanos;
        private long nextNanos = Long.MIN_VALUE;

        FpsCap(double fps) {
            this.intervalNanos = Math.round(1e9 / fps);
        }

        boolean take(long nowNanos) {
            if (nextNanos != Long.MIN_VALUE && nowNanos < nextNanos) {
                return false;
            }
            // keep the rhythm, but do not save up turns while the source was slower than the cap
            nextNanos = nextNanos == Long.MIN_VALUE || nowNanos - nextNanos > intervalNanos
                    ? nowNanos + intervalNanos : nextNanos + intervalNanos;
            return true;
        }
    }
}
