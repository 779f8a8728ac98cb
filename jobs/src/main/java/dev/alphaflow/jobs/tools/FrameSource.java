package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.alphaflow.model.image.RgbImage;

/** Decoded frames of one input, in order. Closing it releases its decoder. */
interface FrameSource extends AutoCloseable {

    /** One decoded frame and its presentation time since the start of the input. */
    record SourceFrame(RgbImage image, long timestampMicros) {}

    /** The next frame, or null at the end of the input. */
    SourceFrame next() throws IOException;

    /** Frames per second of the input (its own for a video, the configured one for a folder). */
    double fps();

    /** Frames in the input, or -1 when unknown (a video's count is taken from its header and may be off). */
    long estimatedFrames();

    @Override
    void close() throws IOException;

    /** A video file or a folder of images; see {@link Replay} for the accepted kinds. */
    static FrameSource open(Path input, double folderFps) throws IOException {
        if (Files.isDirectory(input)) {
            return new ImageFolderSource(input, folderFps);
        }
        if (!Files.isRegularFile(input)) {
            throw new IOException("input " + input + " is neither a video file nor a folder of images");
        }
        return new VideoFileSource(input, folderFps);
    }

    /** The input's name without its extension: {@code clips/dance.mp4} gives {@code dance}. */
    static String baseName(Path input) {
        Path fileName = input.toAbsolutePath().normalize().getFileName();
        String name = fileName == null ? input.toString() : fileName.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !Files.isDirectory(input) ? name.substring(0, dot) : name;
    }

    static boolean isImageFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"));
    }
}
