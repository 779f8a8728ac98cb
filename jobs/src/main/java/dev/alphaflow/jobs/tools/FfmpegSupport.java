package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.Frame;

import dev.alphaflow.model.image.RgbImage;

/** Shared FFmpeg settings and helpers of the tools (replay, export, ingest). */
public final class FfmpegSupport {
    private FfmpegSupport() {}

    // In order of preference. JavaCV's LGPL FFmpeg build has libopenh264 but not libx264 (GPL).
    private static final String[] VIDEO_ENCODERS = {"libx264", "libopenh264", "mpeg4"};

    private static volatile boolean quiet;

    /** FFmpeg logs every decoder hiccup to stderr at INFO; keep errors only. */
    public static void quietLogs() {
        if (!quiet) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            quiet = true;
        }
    }

    /** The name of the best mp4 video encoder in this FFmpeg build: H.264 when there is one, MPEG-4 Part 2 else. */
    static String bestVideoEncoder() {
        for (String name : VIDEO_ENCODERS) {
            AVCodec codec = avcodec.avcodec_find_encoder_by_name(name);
            if (codec != null && !codec.isNull()) {
                return name;
            }
        }
        throw new IllegalStateException("this FFmpeg build has none of the video encoders "
                + String.join(", ", VIDEO_ENCODERS));
    }

    /**
     * A copy of a grabbed RGB24 frame ({@code setPixelFormat(AV_PIX_FMT_RGB24)}): the grabber reuses its buffer, and
     * rows may be padded, so rows are copied one by one.
     *
     * @param what names the source in the message of a frame that is not 3 x 8-bit
     */
    public static RgbImage rgbImage(Frame frame, Object what) throws IOException {
        if (frame.imageChannels != 3 || frame.imageDepth != Frame.DEPTH_UBYTE) {
            throw new IOException(String.format("%s: expected 3 x 8-bit RGB frames from FFmpeg, got %d x depth %d",
                    what, frame.imageChannels, frame.imageDepth));
        }
        int width = frame.imageWidth;
        int height = frame.imageHeight;
        int rowBytes = width * 3;
        ByteBuffer src = ((ByteBuffer) frame.image[0]).duplicate();
        byte[] rgb = new byte[rowBytes * height];
        for (int y = 0; y < height; y++) {
            src.position(y * frame.imageStride);
            src.get(rgb, y * rowBytes, rowBytes);
        }
        return new RgbImage(width, height, rgb);
    }
}
