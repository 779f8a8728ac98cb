package dev.alphaflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.ResetCause;

/**
 * One {@link SourceWorker} against real sources: the sample video looped as if live, and Debian's ffmpeg serving it
 * as MPEG-TS over HTTP on 127.0.0.1, killed and started again while the worker reads it. Frames go to a list
 * instead of Kafka (the ITCase has the broker).
 */
class SourceWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<Frame> sent = new ArrayList<>();

    private SourceWorker worker(SourceSpec spec, CaptureSettings settings) {
        return new SourceWorker(spec, settings, (frame, onError) -> {
            synchronized (sent) {
                sent.add(frame);
            }
        });
    }

    private List<Frame> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    @Test
    void aFileIsPacedAsIfLiveCappedDownscaledAndEndedOnStop() throws Exception {
        Path mp4 = SharedData.danceTwirlMp4();
        CaptureSettings settings = new CaptureSettings(12, 320, 2, Backoff.defaults(), Duration.ofSeconds(5), 0.8f,
                Map.of());
        SourceWorker w = worker(SourceSpec.parse("twirl=" + mp4), settings);
        long start = System.nanoTime();
        w.start();
        await(() -> sent().size() >= 24, "24 frames");
        double seconds = (System.nanoTime() - start) / 1e9;
        w.stop(WAIT);

        List<Frame> frames = sent();
        Frame end = frames.get(frames.size() - 1);
        assertThat(end.getControl()).isEqualTo(Control.END);
        List<Frame> images = frames.subList(0, frames.size() - 1);
        // 24 frames at a 12 fps cap of a 24 fps file take about 2 s, not the moment decoding would
        assertThat(seconds).as("paced").isBetween(1.5, 6.0);
        for (int i = 0; i < images.size(); i++) {
            Frame f = images.get(i);
            assertThat(f.getSeq()).as("consecutive seq: nothing dropped at this rate").isEqualTo(i);
            assertThat(f.getWidth()).isEqualTo(320);
            assertThat(f.getHeight()).isEqualTo(180);
            assertThat(f.getControl()).isEqualTo(Control.NONE);
            assertThat(f.getMetadata()).containsEntry("source", mp4.toString());
        }
        assertThat(end.getSeq()).isEqualTo(images.size());
        assertThat(images.get(images.size() - 1).getEventTimeMs() - images.get(0).getEventTimeMs())
                .as("capture times follow the wall clock").isBetween(1_000L, 6_000L);
        assertThat(w.health().snapshot(System.currentTimeMillis()).reconnects()).isZero();
    }

    @Test
    void whenPublishingFallsBehindTheOldestFramesAreDroppedCountedAndLeaveSeqGaps() throws Exception {
        CaptureSettings settings = new CaptureSettings(0, 160, 1, Backoff.defaults(), Duration.ofSeconds(5), 0.8f,
                Map.of());
        SourceWorker w = new SourceWorker(SourceSpec.parse("slow=" + SharedData.danceTwirlMp4()), settings,
                (frame, onError) -> {
                    try {
                        Thread.sleep(200); // a broker that takes 200 ms per frame of a 24 fps camera
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    synchronized (sent) {
                        sent.add(frame);
                    }
                });
        w.start();
        await(() -> sent().size() >= 8, "8 frames through the slow sink");
        w.stop(WAIT);
        List<Frame> images = sent().stream().filter(f -> f.getControl() == Control.NONE).toList();
        SourceHealth.Snapshot h = w.health().snapshot(System.currentTimeMillis());
        assertThat(h.dropped()).as("about 4 of every 5 frames dropped").isGreaterThan(images.size());
        int gaps = 0;
        for (int i = 1; i < images.size(); i++) {
            long step = images.get(i).getSeq() - images.get(i - 1).getSeq();
            assertThat(step).as("in order").isPositive();
            gaps += step > 1 ? 1 : 0;
        }
        // the seq of a dropped frame stays unused (the first frames may pass while the JIT slows the capture)
        assertThat(gaps).as("steps over dropped frames").isGreaterThanOrEqualTo((images.size() - 1) / 2);
        long lastCaptured = sent().get(sent().size() - 1).getSeq(); // the END's seq: frames captured
        assertThat(h.published() + h.dropped()).as("every captured frame is published or dropped")
                .isBetween(lastCaptured - 1, lastCaptured);
    }

    @Test
    void aLostHttpServerIsRetriedAndTheFirstFrameAfterItAsksForAReset() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CaptureSettings settings = new CaptureSettings(0, 0, 2,
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), 2), Duration.ofSeconds(2), 0.8f, Map.of());
        Process server = FfmpegServer.http(SharedData.danceTwirlMp4(), port);
        SourceWorker w = worker(SourceSpec.parse("cam=http://127.0.0.1:" + port), settings);
        try {
            w.start();
            await(() -> sent().size() >= 10, "10 frames before the server is killed");
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            await(() -> !w.health().snapshot(System.currentTimeMillis()).connected(), "the loss noticed");
            int before = sent().size();
            long lastSeqBefore = sent().get(before - 1).getSeq();
            Thread.sleep(1_000); // a few failed attempts while the server is down
            server = FfmpegServer.http(SharedData.danceTwirlMp4(), port);
            await(() -> sent().size() > before, "frames after the server is back");

            Frame first = sent().get(before);
            assertThat(first.getControl()).isEqualTo(Control.RESET);
            assertThat(first.getResetCause()).isEqualTo(ResetCause.SOURCE_RECONNECTED);
            assertThat(first.getSeq()).isGreaterThan(lastSeqBefore);
            assertThat(sent().subList(0, before)).allMatch(f -> f.getControl() == Control.NONE);
            SourceHealth.Snapshot h = w.health().snapshot(System.currentTimeMillis());
            assertThat(h.reconnects()).isEqualTo(1);
            assertThat(h.connected()).isTrue();
        } finally {
            w.stop(WAIT);
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(sent().get(sent().size() - 1).getControl()).isEqualTo(Control.END);
    }

    @Test
    void anHttpMjpegCameraIsRead() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = FfmpegServer.mjpeg(SharedData.danceTwirlMp4(), port);
        SourceWorker w = worker(SourceSpec.parse("http://127.0.0.1:" + port + "/video.mjpg"),
                new CaptureSettings(0, 0, 2, new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), 2),
                        Duration.ofSeconds(2), 0.8f, Map.of()));
        try {
            w.start();
            await(() -> sent().size() >= 5, "5 MJPEG frames");
        } finally {
            w.stop(WAIT);
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Frame f = sent().get(0);
        assertThat(f.getStreamId()).isEqualTo("http-127.0.0.1-" + port + "-video.mjpg");
        assertThat(f.getWidth()).isEqualTo(320);
        assertThat(f.getHeight()).isEqualTo(180);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + WAIT);
            }
            Thread.sleep(20);
        }
    }
}
