package dev.alphaflow.model.vos;

import dev.alphaflow.model.image.RgbImage;

/**
 * The guided filter (He, Sun and Tang, 2010) with the frame's luminance as the guide: within each window the output
 * is a linear function {@code a * I + b} of the guide fitted to the input by least squares, so it follows the image's
 * edges where the guide has them and smooths where it is flat. RVM refines its alpha with the same filter; here it
 * refines class probabilities that come up from a grid 8 pixels coarse. Box sums by running sums: O(pixels) for any
 * radius. Windows are cut at the image border (means over the pixels inside). The filter can run on a region of the
 * frame: its output matches the whole-frame filter, up to rounding, wherever the pixel lies at least 2 radii inside
 * the region or the region reaches the frame's edge there (each output pixel depends on the input within 2 radii).
 */
final class GuidedFilter {

  private final int width;
  private final int height;
  private final int radius;
  private final float epsilon;
  private final float[] guide;
  private final float[] meanGuide;
  private final float[] varianceGuide;
  private final float[] inverseCount;

  private final int x0;
  private final int y0;
  private final int frameWidth;

  /** Precomputes the guide's statistics over the whole frame. */
  GuidedFilter(RgbImage frame, int radius, float epsilon) {
    this(frame, 0, 0, frame.width(), frame.height(), radius, epsilon);
  }

  /** Precomputes the guide's statistics over the region {@code [x0, x0 + width) x [y0, y0 + height)}. */
  GuidedFilter(RgbImage frame, int x0, int y0, int width, int height, int radius, float epsilon) {
    this.x0 = x0;
    this.y0 = y0;
    this.frameWidth = frame.width();
    this.width = width;
    this.height = height;
    this.radius = radius;
    this.epsilon = epsilon;
    int n = width * height;
    byte[] rgb = frame.rgb();
    guide = new float[n];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = 3 * ((y0 + y) * frameWidth + x0 + x);
        guide[y * width + x] = (0.299f * (rgb[p] & 0xff) + 0.587f * (rgb[p + 1] & 0xff)
            + 0.114f * (rgb[p + 2] & 0xff)) / 255f;
      }
    }
    // a window's pixel count, cut at the region's border: its width times its height (no box filter needed)
    inverseCount = new float[n];
    for (int y = 0; y < height; y++) {
      int rows = Math.min(height - 1, y + radius) - Math.max(0, y - radius) + 1;
      for (int x = 0; x < width; x++) {
        int columns = Math.min(width - 1, x + radius) - Math.max(0, x - radius) + 1;
        inverseCount[y * width + x] = 1f / (rows * columns);
      }
    }
    meanGuide = mean(guide);
    float[] squares = new float[n];
    for (int i = 0; i < n; i++) {
      squares[i] = guide[i] * guide[i];
    }
    varianceGuide = mean(squares);
    for (int i = 0; i < n; i++) {
      varianceGuide[i] = Math.max(0f, varianceGuide[i] - meanGuide[i] * meanGuide[i]);
    }
  }

  /**
   * The filtered region of {@code frameInput} (one value per frame pixel, row-major): {@code [height, width]} of the
   * region, row-major.
   */
  float[] filter(float[] frameInput) {
    int n = width * height;
    float[] input = new float[n];
    for (int y = 0; y < height; y++) {
      System.arraycopy(frameInput, (y0 + y) * frameWidth + x0, input, y * width, width);
    }
    float[] meanInput = mean(input);
    float[] product = new float[n];
    for (int i = 0; i < n; i++) {
      product[i] = guide[i] * input[i];
    }
    float[] meanProduct = mean(product);
    float[] a = product; // reuse
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      float covariance = meanProduct[i] - meanGuide[i] * meanInput[i];
      a[i] = covariance / (varianceGuide[i] + epsilon);
      b[i] = meanInput[i] - a[i] * meanGuide[i];
    }
    float[] meanA = mean(a);
    float[] meanB = mean(b);
    for (int i = 0; i < n; i++) {
      meanB[i] += meanA[i] * guide[i];
    }
    return meanB;
  }

  private float[] mean(float[] x) {
    float[] s = boxSum(x);
    for (int i = 0; i < s.length; i++) {
      s[i] *= inverseCount[i];
    }
    return s;
  }

  /** Sums over the (2r+1)^2 window around every pixel, cut at the border: rows, then columns, by running sums. */
  private float[] boxSum(float[] x) {
    int w = width;
    int h = height;
    int r = radius;
    float[] rows = new float[w * h];
    for (int y = 0; y < h; y++) {
      int o = y * w;
      double s = 0;
      for (int i = 0; i < Math.min(r, w); i++) {
        s += x[o + i];
      }
      for (int xx = 0; xx < w; xx++) {
        int add = xx + r;
        int drop = xx - r - 1;
        if (add < w) {
          s += x[o + add];
        }
        if (drop >= 0) {
          s -= x[o + drop];
        }
        rows[o + xx] = (float) s;
      }
    }
    float[] out = new float[w * h];
    double[] column = new double[w];
    for (int y = 0; y < Math.min(r, h); y++) {
      for (int xx = 0; xx < w; xx++) {
        column[xx] += rows[y * w + xx];
      }
    }
    for (int y = 0; y < h; y++) {
      int add = y + r;
      int drop = y - r - 1;
      for (int xx = 0; xx < w; xx++) {
        double s = column[xx];
        if (add < h) {
          s += rows[add * w + xx];
        }
        if (drop >= 0) {
          s -= rows[drop * w + xx];
        }
        column[xx] = s;
        out[y * w + xx] = (float) s;
      }
    }
    return out;
  }
}
