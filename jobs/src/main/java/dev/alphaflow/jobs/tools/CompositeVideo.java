package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;

/** Encodes a sequence of PNG/JPEG images as an mp4 (H.264 when available, else MPEG-4 Part 2), yuv420p. */
final class CompositeVideo {
    private static final Logger LOG = LoggerFactory.getLogger(CompositeVideo.class);

    /** The frame rate when the records' event times do not tell one. */
    static final double DEFAULT_FPS = 24.0;

    private CompositeVideo() {}

    /**
     * The frame rate from the event times of the first and last seq of a stream (robust to missing frames in
     * between); {@link #DEFAULT_FPS} when they give none or an implausible one (outside 1..240).
     */
    static double estimateFps(long firstSeq, long firstEventMs, long lastSeq, long lastEventMs) {
        if (lastSeq > firstSeq && lastEventMs > firstEventMs) {
            double rate = (lastSeq - firstSeq) * 1000.0 / (lastEventMs - firstEventMs);
            if (rate >= 1 && rate <= 240) {
                return rate;
            }
        }
        return DEFAULT_FPS;
    }

    /**
     * Writes the images, in list order, to {@code out}. Frames whose size differs from the first one are scaled to
     * it; odd sizes are rounded down to even ones, as yuv420p requires.
     *
     * @return the number of frames written
     */
    static long write(List<Path> images, Path out, double fps) throws IOException {
        if (images.isEmpty()) {
            return 0;
        }
        FfmpegSupport.quietLogs();
        RgbImage first = read(images.get(0));
        int width = Math.max(2, first.width() & ~1);
        int height = Math.max(2, first.height() & ~1);
        String encoder = FfmpegSupport.bestVideoEncoder();
        Files.deleteIfExists(out);
        long frames = 0;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out.toFile(), width, height, 0)) {
            recorder.setFormat("mp4");
            recorder.setVideoCodecName(encoder);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(fps);
            recorder.setGopSize((int) Math.max(1, Math.round(fps * 2)));
            // About 0.2 bits per pixel: visually clean for a preview, a few Mbit/s at 480p.
            recorder.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, (long) (width * (long) height * fps * 0.2)));
            if (encoder.equals("libx264")) {
                recorder.setVideoOption("preset", "veryfast");
            }
            recorder.start();
            for (int i = 0; i < images.size(); i++) {
                RgbImage image = i == 0 ? first : read(images.get(i));
                recorder.recordImage(image.width(), image.height(), Frame.DEPTH_UBYTE, 3, image.width() * 3,
                        avutil.AV_PIX_FMT_RGB24, ByteBuffer.wrap(image.rgb()));
                frames++;
            }
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot encode " + out + " with " + encoder + ": " + e.getMessage(), e);
        }
        LOG.info("Wrote {}: {} frames {}x{} at {} fps with {}", out, frames, width, height,
                String.format("%.2f", fps), encoder);
        return frames;
    }

    private static RgbImage read(Path file) throws IOException {
        try {
            return ImageCodec.decode(Files.readAllBytes(file));
        } catch (ImageDecodeException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
