package dev.alphaflow.jobs.tools;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;

/** Shared FFmpeg settings of the tools. */
final class FfmpegSupport {
    private FfmpegSupport() {}

    // In order of preference. JavaCV's LGPL FFmpeg build has libopenh264 but not libx264 (GPL).
    private static final String[] VIDEO_ENCODERS = {"libx264", "libopenh264", "mpeg4"};

    private static volatile boolean quiet;

    /** FFmpeg logs every decoder hiccup to stderr at INFO; keep errors only. */
    static void quietLogs() {
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
}
