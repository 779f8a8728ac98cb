package dev.alphaflow.model.instances;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable binary mask of {@code width x height} pixels, stored as a row-major bitset (one bit per pixel).
 *
 * <pre>{@code
 * BinaryMask.Builder b = BinaryMask.builder(4, 3);
 * b.set(1, 2);
 * BinaryMask mask = b.build();          // mask.area() == 1
 * }</pre>
 */
public final class BinaryMask {

  private final int width;
  private final int height;
  private final long[] words;
  private final long area;

  private BinaryMask(int width, int height, long[] words) {
    this.width = width;
    this.height = height;
    this.words = words;
    long count = 0;
    for (long w : words) {
      count += Long.bitCount(w);
    }
    this.area = count;
  }

  /** A builder for an all-zero mask of this size. */
  public static Builder builder(int width, int height) {
    return new Builder(width, height);
  }

  /** An all-zero mask. */
  public static BinaryMask empty(int width, int height) {
    return builder(width, height).build();
  }

  /** A mask from row-major bytes: a pixel is set where its byte is non-zero (e.g. a 0/255 PNG mask). */
  public static BinaryMask fromBytes(int width, int height, byte[] values) {
    Objects.requireNonNull(values, "values");
    Builder b = builder(width, height);
    if (values.length != (long) width * height) {
      throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + (long) width * height
          + " values, got " + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] != 0) {
        b.words[i >>> 6] |= 1L << i;
      }
    }
    return b.build();
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Number of set pixels. */
  public long area() {
    return area;
  }

  public boolean isEmpty() {
    return area == 0;
  }

  public boolean get(int x, int y) {
    Objects.checkIndex(x, width);
    Objects.checkIndex(y, height);
    int i = y * width + x;
    return (words[i >>> 6] & (1L << i)) != 0;
  }

  /** Whether the pixel at row-major index {@code y * width + x} is set. */
  public boolean get(int index) {
    Objects.checkIndex(index, width * height);
    return (words[index >>> 6] & (1L << index)) != 0;
  }

  /** Number of pixels set in both masks; the sizes must match. */
  public long intersection(BinaryMask other) {
    checkSameSize(other);
    long count = 0;
    for (int i = 0; i < words.length; i++) {
      count += Long.bitCount(words[i] & other.words[i]);
    }
    return count;
  }

  /** Intersection over union; two empty masks have IoU 0. */
  public double iou(BinaryMask other) {
    long inter = intersection(other);
    long union = area + other.area - inter;
    return union == 0 ? 0 : (double) inter / union;
  }

  /** Pixels set inside the half-open box [x0, x1) x [y0, y1), clipped to the mask. */
  public long areaInside(int x0, int y0, int x1, int y1) {
    long count = 0;
    for (int y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (int x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        int i = y * width + x;
        if ((words[i >>> 6] & (1L << i)) != 0) {
          count++;
        }
      }
    }
    return count;
  }

  /** The tight box around the set pixels in pixel-edge coordinates ({@code x1 = last column + 1}); null if empty. */
  public Box boundingBox() {
    if (area == 0) {
      return null;
    }
    int minX = width;
    int minY = height;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        if ((words[i >>> 6] & (1L << i)) != 0) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = y;
        }
      }
    }
    return new Box(minX, minY, maxX + 1, maxY + 1);
  }

  /** Row-major bytes, 1 where set and 0 elsewhere. */
  public byte[] toBytes() {
    return toBytes((byte) 1);
  }

  /** Row-major bytes, {@code on} where set and 0 elsewhere ({@code (byte) 255} for an 8-bit grey PNG). */
  public byte[] toBytes(byte on) {
    byte[] out = new byte[width * height];
    for (int i = 0; i < out.length; i++) {
      if ((words[i >>> 6] & (1L << i)) != 0) {
        out[i] = on;
      }
    }
    return out;
  }

  private void checkSameSize(BinaryMask other) {
    if (width != other.width || height != other.height) {
      throw new IllegalArgumentException("mask sizes differ: " + width + "x" + height + " vs " + other.width + "x"
          + other.height);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BinaryMask other && width == other.width && height == other.height
        && Arrays.equals(words, other.words);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(words);
  }

  @Override
  public String toString() {
    return "BinaryMask{" + width + "x" + height + ", area=" + area + "}";
  }

  /** Sets pixels of a mask under construction; {@link #build()} freezes it. Not thread-safe. */
  public static final class Builder {
    private final int width;
    private final int height;
    private long[] words;

    private Builder(int width, int height) {
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException("mask size must be positive: " + width + "x" + height);
      }
      this.width = width;
      this.height = height;
      this.words = new long[(int) (((long) width * height + 63) >>> 6)];
    }

    public Builder set(int x, int y) {
      Objects.checkIndex(x, width);
      Objects.checkIndex(y, height);
      int i = y * width + x;
      words[i >>> 6] |= 1L << i;
      return this;
    }

    /** Sets the pixel at row-major index {@code y * width + x}. */
    public Builder set(int index) {
      Objects.checkIndex(index, width * height);
      words[index >>> 6] |= 1L << index;
      return this;
    }

    /** The mask; the builder cannot be used afterwards. */
    public BinaryMask build() {
      if (words == null) {
        throw new IllegalStateException("build() was already called");
      }
      BinaryMask mask = new BinaryMask(width, height, words);
      words = null;
      return mask;
    }
  }
}
