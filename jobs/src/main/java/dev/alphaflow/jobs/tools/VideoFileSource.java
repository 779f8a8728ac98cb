package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.nio.file.Path;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;


/** A video file decoded by FFmpeg (through JavaCV) to RGB frames; audio is ignored. */
final class VideoFileSource implements FrameSource {
    private final Path file;
    private final FFmpegFrameGrabber grabber;
    private final double fps;

    VideoFileSource(Path file, double fallbackFps) throws IOException {
        this.file = file;
        FfmpegSupport.quietLogs();
        this.grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            closeQuietly();
            throw new IOException("cannot open video " + file + ": " + e.getMessage(), e);
        }
        double rate = grabber.getVideoFrameRate();
        this.fps = rate > 0 && Double.isFinite(rate) ? rate : fallbackFps;
    }

    @Override
    public SourceFrame next() throws IOException {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot decode the next frame of " + file + ": " + e.getMessage(), e);
        }
        if (frame == null) {
            return null;
        }
        return new SourceFrame(FfmpegSupport.rgbImage(frame, file), Math.max(0, frame.timestamp));
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public long estimatedFrames() {
        int frames = grabber.getLengthInVideoFrames();
        return frames > 0 ? frames : -1;
    }

    @Override
    public void close() throws IOException {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot close the decoder of " + file, e);
        }
    }

    private void closeQuietly() {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception | RuntimeException ignored) {
            // already failing; the open error is the one to report
        }
    }
}
