package dev.alphaflow.model;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a model file must be: where it lives under a model directory, its sha256, license, and its I/O contract.
 *
 * <p>A card with no inputs or outputs listed skips the contract check for that side. Example:
 *
 * <pre>{@code
 * ModelCard card = ModelCard.builder()
 *     .id("my-model")
 *     .relativePath("my/model.onnx")
 *     .sha256("2a41...")
 *     .input(TensorSpec.of("x", ElementType.FLOAT32, -1, 3, -1, -1))
 *     .output(TensorSpec.of("y", ElementType.FLOAT32, -1, 1, -1, -1))
 *     .build();
 * }</pre>
 */
public final class ModelCard implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final String id;
  private final String relativePath;
  private final String sha256;
  private final String license;
  private final String description;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  private ModelCard(Builder b) {
    this.id = b.id;
    this.relativePath = b.relativePath;
    this.sha256 = b.sha256;
    this.license = b.license;
    this.description = b.description;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A card for an arbitrary file with no I/O contract: id as given, relativePath = the file name, sha256 computed
   * now. Open it with {@code new ModelRegistry(file.getParent())}.
   */
  public static ModelCard forFile(String id, Path file) {
    Path name = file.getFileName();
    if (name == null) {
      throw new IllegalArgumentException("not a file path: " + file);
    }
    return builder()
        .id(id)
        .relativePath(name.toString())
        .sha256(ModelRegistry.sha256(file))
        .description("model file " + file)
        .build();
  }

  /** A builder pre-filled with this card, e.g. to point the same contract at another file. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.relativePath = relativePath;
    b.sha256 = sha256;
    b.license = license;
    b.description = description;
    b.inputs.addAll(inputs);
    b.outputs.addAll(outputs);
    return b;
  }

  public String id() {
    return id;
  }

  /** Path of the file relative to a model directory, with '/' separators. */
  public String relativePath() {
    return relativePath;
  }

  /** Lower-case hex sha256 of the file. */
  public String sha256() {
    return sha256;
  }

  public String license() {
    return license;
  }

  public String description() {
    return description;
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelCard other
        && id.equals(other.id)
        && relativePath.equals(other.relativePath)
        && sha256.equals(other.sha256)
        && license.equals(other.license)
        && description.equals(other.description)
        && inputs.equals(other.inputs)
        && outputs.equals(other.outputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, relativePath, sha256, license, description, inputs, outputs);
  }

  @Override
  public String toString() {
    return "ModelCard{id=" + id + ", path=" + relativePath + ", sha256=" + sha256 + ", license=" + license
        + ", inputs=" + inputs + ", outputs=" + outputs + "}";
  }

  /** Builder for {@link ModelCard}; id, relativePath and sha256 are required. */
  public static final class Builder {
    private String id;
    private String relativePath;
    private String sha256;
    private String license = "";
    private String description = "";
    private final List<TensorSpec> inputs = new ArrayList<>();
    private final List<TensorSpec> outputs = new ArrayList<>();

    private Builder() {}

    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder relativePath(String relativePath) {
      this.relativePath = Objects.requireNonNull(relativePath, "relativePath").replace('\\', '/');
      return this;
    }

    /** Hex sha256 of the file; upper case is accepted and stored lower case. */
    public Builder sha256(String sha256) {
      this.sha256 = Objects.requireNonNull(sha256, "sha256").trim().toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder license(String license) {
      this.license = Objects.requireNonNull(license, "license");
      return this;
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    public Builder input(TensorSpec spec) {
      inputs.add(Objects.requireNonNull(spec, "spec"));
      return this;
    }

    public Builder output(TensorSpec spec) {
      outputs.add(Objects.requireNonNull(spec, "spec"));
      return this;
    }

    /** Replaces all inputs. */
    public Builder inputs(List<TensorSpec> specs) {
      inputs.clear();
      specs.forEach(this::input);
      return this;
    }

    /** Replaces all outputs. */
    public Builder outputs(List<TensorSpec> specs) {
      outputs.clear();
      specs.forEach(this::output);
      return this;
    }

    public ModelCard build() {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("model card needs an id");
      }
      if (relativePath == null || relativePath.isBlank()) {
        throw new IllegalArgumentException("model card '" + id + "' needs a relativePath (file under the model directory)");
      }
      if (relativePath.startsWith("/") || Path.of(relativePath).isAbsolute()) {
        throw new IllegalArgumentException("model card '" + id + "': relativePath must be relative to the model directory: "
            + relativePath);
      }
      if (sha256 == null || !SHA256.matcher(sha256).matches()) {
        throw new IllegalArgumentException("model card '" + id + "': sha256 must be 64 hex digits, got: " + sha256
            + " (compute it with `sha256sum <file>`)");
      }
      checkUniqueNames("input", inputs);
      checkUniqueNames("output", outputs);
      return new ModelCard(this);
    }

    private void checkUniqueNames(String kind, List<TensorSpec> specs) {
      for (int i = 0; i < specs.size(); i++) {
        for (int j = i + 1; j < specs.size(); j++) {
          if (specs.get(i).name().equals(specs.get(j).name())) {
            throw new IllegalArgumentException(
                "model card '" + id + "': " + kind + " '" + specs.get(i).name() + "' is listed twice");
          }
        }
      }
    }
  }
}
