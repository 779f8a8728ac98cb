package dev.alphaflow.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Name, element type and shape of one model input or output; a dimension of {@code -1} is symbolic (any size).
 *
 * @param shape the dimensions; the array is copied on the way in and out, so a spec is immutable
 */
public record TensorSpec(String name, ElementType type, long[] shape) implements Serializable {

  /** Marks a symbolic dimension. */
  public static final long ANY = -1;

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shape, "shape");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    shape = shape.clone();
    for (long d : shape) {
      if (d < -1) {
        throw new IllegalArgumentException(
            "tensor '" + name + "': dimension " + d + " is invalid; use -1 for a symbolic dimension");
      }
    }
  }

  /** Shorthand: {@code TensorSpec.of("src", FLOAT32, -1, 3, -1, -1)}. */
  public static TensorSpec of(String name, ElementType type, long... shape) {
    return new TensorSpec(name, type, shape);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** The dimension at {@code axis}; -1 when symbolic. */
  public long dim(int axis) {
    return shape[axis];
  }

  /** Formats a shape the way error messages show it: {@code [?,16,?,?]}. */
  public static String formatShape(long[] shape) {
    StringJoiner joiner = new StringJoiner(",", "[", "]");
    for (long d : shape) {
      joiner.add(d < 0 ? "?" : Long.toString(d));
    }
    return joiner.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec other
        && name.equals(other.name)
        && type == other.type
        && Arrays.equals(shape, other.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + type + formatShape(shape);
  }
}
