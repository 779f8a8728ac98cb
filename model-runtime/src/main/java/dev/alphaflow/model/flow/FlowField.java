package dev.alphaflow.model.flow;

import java.util.Objects;

/**
 * A dense optical flow field: per pixel the displacement {@code (dx, dy)} in pixels, stored planar like a
 * {@code [2, H, W]} tensor (all {@code dx} row-major, then all {@code dy}), so a learned model's output can be wrapped
 * without copying.
 *
 * <p>Convention: the flow from image {@code a} to image {@code b} maps pixel {@code x} of {@code a} to
 * {@code x + flow(x)} in {@code b}, i.e. {@code a(x) ≈ b(x + flow(x))}. The array is not copied; treat it as
 * read-only once the field is built.
 */
public final class FlowField {

  private final int width;
  private final int height;
  private final float[] data;

  /** Wraps {@code data} ({@code 2 * width * height} floats: the dx plane, then the dy plane). */
  public FlowField(int width, int height, float[] data) {
    Objects.requireNonNull(data, "data");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("flow size must be positive: " + width + "x" + height);
    }
    long expected = 2L * width * height;
    if (data.length != expected) {
      throw new IllegalArgumentException("a " + width + "x" + height + " flow field needs " + expected
          + " floats (dx plane, then dy plane), got " + data.length);
    }
    this.width = width;
    this.height = height;
    this.data = data;
  }

  /** The same displacement at every pixel. */
  public static FlowField constant(int width, int height, float dx, float dy) {
    float[] data = new float[2 * width * height];
    int n = width * height;
    java.util.Arrays.fill(data, 0, n, dx);
    java.util.Arrays.fill(data, n, 2 * n, dy);
    return new FlowField(width, height, data);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int pixelCount() {
    return width * height;
  }

  /** The planar data, dx plane then dy plane (not a copy). */
  public float[] data() {
    return data;
  }

  public float dx(int x, int y) {
    return data[y * width + x];
  }

  public float dy(int x, int y) {
    return data[width * height + y * width + x];
  }

  @Override
  public String toString() {
    return "FlowField{" + width + "x" + height + "}";
  }
}
