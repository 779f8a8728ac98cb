package dev.alphaflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

  @TempDir
  Path dir;

  @Test
  void hashesFilesAndNoticesChanges() throws IOException {
    Path file = Files.writeString(dir.resolve("m.onnx"), "abc", StandardCharsets.US_ASCII);
    assertThat(ModelRegistry.sha256(file))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    // A rewrite with another size and mtime is a new cache key, so the new content is hashed.
    Files.writeString(file, "abcd", StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
    assertThat(ModelRegistry.sha256(file))
        .isEqualTo("88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
  }

  @Test
  void resolvesAndVerifiesUnderTheModelDirectory() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Path file = Files.writeString(dir.resolve("sub/m.onnx"), "abc", StandardCharsets.US_ASCII);
    ModelCard card = ModelCard.forFile("m", file).toBuilder().relativePath("sub/m.onnx").build();
    ModelRegistry registry = new ModelRegistry(dir);
    assertThat(registry.resolve(card)).isEqualTo(file.toAbsolutePath().normalize());
    registry.verify(card, file);

    assertThatThrownBy(() -> new ModelRegistry(dir.resolve("nope")).resolve(card))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model directory does not exist")
        .hasMessageContaining("--model-dir");
  }
}
