package dev.alphaflow.model.flow;

import java.util.Arrays;
import java.util.Objects;

/**
 * One frame of a stream as the flow job keeps it until the next frame: its seq and its luma at the flow resolution
 * ({@link FlowInput#luma}). Immutable: the array is not copied, treat it as read-only.
 */
public final class LumaFrame {

  private final long seq;
  private final int width;
  private final int height;
  private final byte[] luma;

  public LumaFrame(long seq, int width, int height, byte[] luma) {
    Objects.requireNonNull(luma, "luma");
    if (width <= 0 || height <= 0 || (long) width * height != luma.length) {
      throw new IllegalArgumentException(
          "a " + width + "x" + height + " luma frame needs " + (long) width * height + " bytes, got " + luma.length);
    }
    this.seq = seq;
    this.width = width;
    this.height = height;
    this.luma = luma;
  }

  public long seq() {
    return seq;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Row-major, one byte per pixel (not a copy). */
  public byte[] luma() {
    return luma;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LumaFrame other
        && seq == other.seq
        && width == other.width
        && height == other.height
        && Arrays.equals(luma, other.luma);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, width, height, Arrays.hashCode(luma));
  }

  @Override
  public String toString() {
    return "LumaFrame{seq " + seq + ", " + width + "x" + height + "}";
  }
}
