package dev.alphaflow.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds model files under a model directory and checks them against their cards.
 *
 * <p>The directory is usually set with {@code --model-dir} on the CLI or the {@value #MODEL_DIR_PROPERTY} system
 * property; {@link #defaultModelDir()} resolves the latter. Hashes are cached per (file, size, mtime), so a model
 * is hashed once per JVM however many sessions or tasks open it.
 */
public final class ModelRegistry implements Serializable {

  private static final long serialVersionUID = 1L;

  /** System property naming the model directory. */
  public static final String MODEL_DIR_PROPERTY = "alphaflow.model.dir";

  private static final Map<HashKey, String> HASH_CACHE = new ConcurrentHashMap<>();

  // A String, because Path is not Serializable and registries travel inside job graphs.
  private final String modelDir;

  public ModelRegistry(Path modelDir) {
    this.modelDir = modelDir.toAbsolutePath().normalize().toString();
  }

  /**
   * The model directory from {@value #MODEL_DIR_PROPERTY}; else {@code <alphaflow.shared.dir>/models}; else the
   * first of {@code ../shared/models} and {@code ../../shared/models} that exists.
   */
  public static Path defaultModelDir() {
    String configured = System.getProperty(MODEL_DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String shared = System.getProperty("alphaflow.shared.dir");
    if (shared != null && !shared.isBlank()) {
      return Path.of(shared, "models");
    }
    for (Path candidate : List.of(Path.of("..", "shared", "models"), Path.of("..", "..", "shared", "models"))) {
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new ModelLoadException("no model directory configured: pass --model-dir or set -D" + MODEL_DIR_PROPERTY
        + "=<folder holding e.g. rvm/rvm_mobilenetv3_fp32.onnx>");
  }

  public Path modelDir() {
    return Path.of(modelDir);
  }

  /** The card's file under the model directory; it must exist. */
  public Path resolve(ModelCard card) {
    Path dir = modelDir();
    Path file = dir.resolve(card.relativePath()).normalize();
    if (!Files.isRegularFile(file)) {
      String why = Files.isDirectory(dir) ? "file not found: " + file : "model directory does not exist: " + dir;
      throw new ModelLoadException("model " + card.id() + ": " + why + ". Point --model-dir (or -D"
          + MODEL_DIR_PROPERTY + ") at the folder that holds " + card.relativePath());
    }
    return file;
  }

  /** Checks that the file's sha256 equals the card's. */
  public void verify(ModelCard card, Path file) {
    String actual;
    try {
      actual = sha256(file);
    } catch (UncheckedIOException e) {
      throw new ModelLoadException("model " + card.id() + ": cannot read " + file + " to check its sha256: "
          + e.getCause().getMessage(), e);
    }
    if (!actual.equals(card.sha256())) {
      throw new ModelLoadException("model " + card.id() + ": sha256 mismatch for " + file.toAbsolutePath()
          + ": expected " + card.sha256() + ", actual " + actual
          + ". The file is not the one the card describes: replace it with the right file, "
          + "or update the card's sha256 if the model was changed on purpose.");
    }
  }

  /** Lower-case hex sha256 of a file, computed once per (path, size, mtime) in this JVM. */
  public static String sha256(Path file) {
    try {
      Path absolute = file.toAbsolutePath().normalize();
      BasicFileAttributes attrs = Files.readAttributes(absolute, BasicFileAttributes.class);
      HashKey key = new HashKey(absolute.toString(), attrs.size(), attrs.lastModifiedTime().toMillis());
      String cached = HASH_CACHE.get(key);
      if (cached != null) {
        return cached;
      }
      String computed = computeSha256(absolute);
      HASH_CACHE.put(key, computed);
      return computed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash " + file, e);
    }
  }

  private static String computeSha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    byte[] chunk = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        digest.update(chunk, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelRegistry other && modelDir.equals(other.modelDir);
  }

  @Override
  public int hashCode() {
    return modelDir.hashCode();
  }

  @Override
  public String toString() {
    return "ModelRegistry{" + modelDir + "}";
  }

  private record HashKey(String path, long size, long mtimeMillis) {}
}
