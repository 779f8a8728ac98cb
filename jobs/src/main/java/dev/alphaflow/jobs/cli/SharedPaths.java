package dev.alphaflow.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the shared models and sample data are: configurable, never inside the repository. */
final class SharedPaths {
    private SharedPaths() {}

    /** $ALPHAFLOW_SHARED_DIR, else -Dalphaflow.shared.dir, else ../shared beside the working directory. */
    static Path sharedDir() {
        String configured = System.getenv("ALPHAFLOW_SHARED_DIR");
        if (configured == null) {
            configured = System.getProperty("alphaflow.shared.dir");
        }
        return (configured != null ? Paths.get(configured) : Paths.get("..", "shared")).toAbsolutePath().normalize();
    }

    /** $ALPHAFLOW_MODEL_DIR, else the shared folder's models/. */
    static Path modelDir() {
        String configured = System.getenv("ALPHAFLOW_MODEL_DIR");
        return configured != null ? Paths.get(configured).toAbsolutePath().normalize() : sharedDir().resolve("models");
    }

    /** The model folder a command uses: {@code --model-dir} when given, else {@link #modelDir()}; absolute. */
    static Path modelDir(Path flag) {
        return (flag != null ? flag : modelDir()).toAbsolutePath().normalize();
    }

    static Path requireExisting(Path path, String what, String howToFix) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(what + " not found: " + path + " (" + howToFix + ")");
        }
        return path;
    }
}
