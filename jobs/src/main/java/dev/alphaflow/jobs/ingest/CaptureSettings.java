package dev.alphaflow.jobs.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How every source is captured: the frame-rate cap ({@code fps}, 0 = the source's own rate), the downscale
 * ({@code maxSize}: the longest side in pixels, 0 = as captured), the frames queued per source before the oldest is
 * dropped, the reconnect backoff, the network read/open timeout, the JPEG quality of the published frames, and extra
 * FFmpeg demuxer/protocol options ({@code -O key=value}) for every source.
 */
public record CaptureSettings(double fps, int maxSize, int queueCapacity, Backoff backoff, Duration timeout,
        float jpegQuality, Map<String, String> ffmpegOptions) {

    public CaptureSettings {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(timeout, "timeout");
        ffmpegOptions = Map.copyOf(ffmpegOptions);
        if (!(fps >= 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("fps must be 0 (no cap) or positive: " + fps);
        }
        if (maxSize != 0 && maxSize < 16) {
            throw new IllegalArgumentException("maxSize must be 0 (no downscale) or at least 16 pixels: " + maxSize);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1: " + queueCapacity);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (!(jpegQuality > 0 && jpegQuality <= 1)) {
            throw new IllegalArgumentException("jpegQuality must be in (0, 1]: " + jpegQuality);
        }
    }

    /** No fps cap, no downscale, 2 frames queued, {@link Backoff#defaults()}, 5 s timeout, JPEG quality 0.9. */
    public static CaptureSettings defaults() {
        return new CaptureSettings(0, 0, 2, Backoff.defaults(), Duration.ofSeconds(5), 0.9f, Map.of());
    }
}
