package dev.alphaflow.model.testing;

import dev.alphaflow.model.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Locates the shared models and test data (never copied into the repository). Tests that need them fail with a
 * message saying how to point at them, rather than skipping.
 */
public final class SharedTestData {

  private SharedTestData() {}

  /** System property set by surefire/failsafe in the parent pom. */
  public static final String PROPERTY = "alphaflow.shared.dir";

  /** {@value #PROPERTY}, else {@code ../shared}, else {@code ../../shared} (relative to the working directory). */
  public static Path sharedDir() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException("-D" + PROPERTY + "=" + configured + " does not exist (resolved to " + dir
            + "); point it at the folder holding models/ and data/");
      }
      return dir;
    }
    List<Path> candidates = List.of(Path.of("..", "shared"), Path.of("..", "..", "shared"));
    for (Path candidate : candidates) {
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("shared models/data folder not found: set -D" + PROPERTY
        + "=<folder holding models/ and data/> (looked in " + candidates.stream()
            .map(p -> p.toAbsolutePath().normalize().toString()).toList() + ")");
  }

  public static Path modelDir() {
    return existing(sharedDir().resolve("models"));
  }

  public static Path dataDir() {
    return existing(sharedDir().resolve("data"));
  }

  /** A registry over the shared model folder. */
  public static ModelRegistry modelRegistry() {
    return new ModelRegistry(modelDir());
  }

  /** A file under the shared data folder, e.g. {@code data("rvm-golden/messi5_decoded.png")}; it must exist. */
  public static Path data(String relativePath) {
    return existing(dataDir().resolve(relativePath));
  }

  private static Path existing(Path path) {
    if (!Files.exists(path)) {
      throw new IllegalStateException("shared test material missing: " + path + " (see models/MANIFEST.md and "
          + "data/MANIFEST.md in the shared folder; set -D" + PROPERTY + " if it lives elsewhere)");
    }
    return path;
  }
}
