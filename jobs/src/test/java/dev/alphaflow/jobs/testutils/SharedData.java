package dev.alphaflow.jobs.testutils;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared models and data folder ({@code -Dalphaflow.shared.dir}, set by the parent pom for tests). */
public final class SharedData {
    private SharedData() {}

    public static final String PROPERTY = "alphaflow.shared.dir";

    /** The shared folder; fails loudly (never skips) when the property is missing or points nowhere. */
    public static Path dir() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + PROPERTY + " is not set; run the tests through Maven "
                    + "or pass -D" + PROPERTY + "=/path/to/shared");
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(PROPERTY + "=" + value + " is not a folder");
        }
        return dir;
    }

    /** A file under {@code <shared>/data}; fails loudly when it is missing. */
    public static Path data(String relative) {
        Path file = dir().resolve("data").resolve(relative);
        if (!Files.exists(file)) {
            throw new IllegalStateException("missing test data " + file + "; see shared/data/MANIFEST.md");
        }
        return file;
    }

    /** The 90-frame 854x480 24 fps H.264 person video. */
    public static Path danceTwirlMp4() {
        return data("person-video/dance-twirl_854x480_24fps_h264.mp4");
    }
}
