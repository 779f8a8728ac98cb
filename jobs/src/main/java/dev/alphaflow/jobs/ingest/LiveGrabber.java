package dev.alphaflow.jobs.ingest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

import dev.alphaflow.jobs.tools.FfmpegSupport;
import dev.alphaflow.model.image.RgbImage;

/**
 * One open connection to a source through FFmpeg (JavaCV's {@link FFmpegFrameGrabber}), decoding to RGB24 and
 * downscaling by FFmpeg's scaler to {@link CaptureSettings#maxSize()}. A network read or open that blocks longer than
 * {@link CaptureSettings#timeout()} fails (JavaCV's interrupt callback and the protocols' {@code rw_timeout}), so a
 * camera that goes silent is noticed as a lost connection rather than waited on for ever. Closing it closes the
 * connection.
 */
final class LiveGrabber implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LiveGrabber.class);
    private final SourceSpec spec;
    private final FFmpegFrameGrabber grabber;

    /** A decoded image and its presentation time in the source's clock (microseconds). */
    record Grabbed(RgbImage image, long timestampMicros) {}

    private LiveGrabber(SourceSpec spec, FFmpegFrameGrabber grabber) {
        this.spec = spec;
        this.grabber = grabber;
    }

    /** Opens the source; an unreachable or unreadable one fails with FFmpeg's reason. */
    static LiveGrabber open(SourceSpec spec, CaptureSettings settings) throws IOException {
        FfmpegSupport.quietLogs();
        // A live source's hiccups (refused connections, a stream joined mid-GOP) are FFmpeg errors that ingest
        // reports itself, as a lost connection with its reason: FFmpeg's own log prints only fatal errors here.
        avutil.av_log_set_level(avutil.AV_LOG_FATAL);
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(spec.location());
        g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        options(spec, settings).forEach(g::setOption);
        if (spec.kind() == SourceSpec.Kind.DEVICE) {
            g.setFormat("v4l2");
        }
        if (spec.kind() != SourceSpec.Kind.FILE) {
            g.setTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
        }
        try {
            g.start();
            if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
                throw new IOException("no video stream");
            }
            downscale(g, settings.maxSize());
        } catch (IOException | RuntimeException e) { // FrameGrabber.Exception is an IOException
            try {
                g.close();
            } catch (FrameGrabber.Exception | RuntimeException ignored) {
                // already failing; the open error is the one to report
            }
            throw new IOException("cannot open " + spec.displayLocation() + ": " + reason(e), e);
        }
        return new LiveGrabber(spec, g);
    }

    /** The demuxer and protocol options for a source: timeouts and buffers for network ones, then the user's. */
    static Map<String, String> options(SourceSpec spec, CaptureSettings settings) {
        Map<String, String> o = new LinkedHashMap<>();
        if (spec.kind() == SourceSpec.Kind.NETWORK) {
            String micros = Long.toString(settings.timeout().toNanos() / 1_000);
            o.put("rw_timeout", micros); // every protocol: a read that waits longer fails
            String scheme = spec.location().substring(0, spec.location().indexOf(':'));
            switch (scheme) {
                case "rtsp", "rtsps" -> o.put("timeout", micros); // RTSP's socket timeout
                case "udp", "rtp" -> {
                    // a burst the reader cannot take at once is dropped, not fatal; ~10 MB of datagrams buffered
                    o.put("overrun_nonfatal", "1");
                    o.put("fifo_size", "50000");
                }
                default -> { }
            }
            // Start within about a second instead of probing 5 s of stream: it bounds the time to reconnect.
            o.put("analyzeduration", "1000000");
        }
        o.putAll(settings.ffmpegOptions());
        return o;
    }

    private static void downscale(FFmpegFrameGrabber g, int maxSize) {
        int w = g.getImageWidth();
        int h = g.getImageHeight();
        if (maxSize <= 0 || Math.max(w, h) <= maxSize) {
            return;
        }
        double scale = (double) maxSize / Math.max(w, h);
        g.setImageWidth(Math.max(1, (int) Math.round(w * scale)));
        g.setImageHeight(Math.max(1, (int) Math.round(h * scale)));
    }

    /** The next image; null at the end of the stream (a file's end, a server that closed the connection). */
    Grabbed grab() throws IOException {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("reading " + spec.displayLocation() + ": " + reason(e), e);
        }
        if (frame == null) {
            return null;
        }
        return new Grabbed(FfmpegSupport.rgbImage(frame, spec.displayLocation()), Math.max(0, frame.timestamp));
    }

    /** JavaCV's message without its hints for programmers ("Has setFormat() been called?"). */
    static String reason(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.replace(" (Has setFormat() been called?)", "")
                .replaceAll(" \\(For more details, make sure FFmpegLogCallback\\.set\\(\\) has been called\\.\\)", "")
                .replace("error -111:", "error -111 (connection refused):")
                .replace("error -110:", "error -110 (timed out):")
                .strip();
    }

    /** The source's frame rate, or {@code fallback} when it declares none. */
    double fps(double fallback) {
        double rate = grabber.getVideoFrameRate();
        return rate > 0 && Double.isFinite(rate) ? rate : fallback;
    }

    @Override
    public void close() {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            LOG.debug("closing {} failed; the connection is gone either way", spec, e);
        }
    }
}
