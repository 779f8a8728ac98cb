package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;

/** The JPEG and PNG files of a folder (not its sub-folders), in file-name order, at a fixed frame rate. */
final class ImageFolderSource implements FrameSource {
    private final List<Path> files;
    private final double fps;
    private int index;

    ImageFolderSource(Path folder, double fps) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            this.files = entries.filter(FrameSource::isImageFile).sorted().collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            throw new IOException("folder " + folder + " holds no .jpg, .jpeg or .png files");
        }
        this.fps = fps;
    }

    @Override
    public SourceFrame next() throws IOException {
        if (index >= files.size()) {
            return null;
        }
        Path file = files.get(index);
        RgbImage image;
        try {
            image = ImageCodec.decode(Files.readAllBytes(file));
        } catch (ImageDecodeException e) {
            throw new IOException("cannot decode " + file + ": " + e.getMessage(), e);
        }
        long timestampMicros = Math.round(index * 1_000_000.0 / fps);
        index++;
        return new SourceFrame(image, timestampMicros);
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public long estimatedFrames() {
        return files.size();
    }

    @Override
    public void close() {}
}
