package dev.alphaflow.jobs.ingest;

import java.util.Objects;

import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.ResetCause;

/**
 * A frame as it came from a source: its place in the stream ({@code seq}; frames dropped later leave a gap), its
 * capture time (epoch ms, the wall clock when FFmpeg handed it over) and, for the first frame after a reconnect,
 * why the stream's model memory must start over.
 */
record CapturedFrame(long seq, long captureTimeMs, RgbImage image, ResetCause resetCause) {
    CapturedFrame {
        Objects.requireNonNull(image, "image");
    }

    CapturedFrame withResetCause(ResetCause cause) {
        return new CapturedFrame(seq, captureTimeMs, image, cause);
    }
}
