package dev.alphaflow.jobs.ingest;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Debian's ffmpeg serving a video in a loop, in real time, as MPEG-TS on 127.0.0.1 (a camera for the tests). */
final class FfmpegServer {
    private FfmpegServer() {}

    /** Serves one HTTP client at {@code http://127.0.0.1:port}. */
    static Process http(Path video, int port) throws IOException {
        return start(video, "-listen", "1", "http://127.0.0.1:" + port);
    }

    /** Serves one HTTP client at {@code http://127.0.0.1:port} as MJPEG (multipart JPEG, as IP cameras do). */
    static Process mjpeg(Path video, int port) throws IOException {
        List<String> cmd = List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop",
                "-1", "-i", video.toString(), "-an", "-vf", "scale=320:-2", "-c:v", "mjpeg", "-q:v", "5", "-f",
                "mpjpeg", "-listen", "1", "http://127.0.0.1:" + port);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** Sends datagrams to {@code udp://127.0.0.1:port}. */
    static Process udp(Path video, int port) throws IOException {
        return start(video, "udp://127.0.0.1:" + port + "?pkt_size=1316");
    }

    private static Process start(Path video, String... output) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                "-stream_loop", "-1", "-i", video.toString(), "-an", "-vf", "scale=320:-2", "-c:v", "mpeg2video",
                "-q:v", "5", "-g", "12", "-f", "mpegts"));
        cmd.addAll(List.of(output));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }
}
