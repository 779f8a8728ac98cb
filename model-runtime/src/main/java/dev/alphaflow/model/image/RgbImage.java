package dev.alphaflow.model.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image: interleaved R,G,B bytes, row-major, no padding ({@code rgb.length == width * height * 3}).
 *
 * <p>The array is not copied (frames are large and pass through many hands); treat it as read-only once the image
 * is built.
 */
public final class RgbImage {

  private final int width;
  private final int height;
  private final byte[] rgb;

  public RgbImage(int width, int height, byte[] rgb) {
    Objects.requireNonNull(rgb, "rgb");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    long expected = (long) width * height * 3;
    if (rgb.length != expected) {
      throw new IllegalArgumentException("an RGB24 image of " + width + "x" + height + " needs " + expected
          + " bytes, got " + rgb.length);
    }
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The interleaved RGB bytes (not a copy). */
  public byte[] rgb() {
    return rgb;
  }

  public int pixelCount() {
    return width * height;
  }

  /** Packed 0xRRGGBB of one pixel. */
  public int rgbAt(int x, int y) {
    int i = (y * width + x) * 3;
    return ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
  }

  public boolean sameSize(RgbImage other) {
    return width == other.width && height == other.height;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other && width == other.width && height == other.height
        && Arrays.equals(rgb, other.rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "RgbImage{" + width + "x" + height + "}";
  }
}
