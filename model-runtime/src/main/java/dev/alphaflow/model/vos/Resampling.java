package dev.alphaflow.model.vos;

/**
 * Bilinear resampling between frame pixels and the key grid. A strided conv net with symmetric padding centres output
 * cell {@code j} on input pixel {@code j * stride} (each 3x3, stride-2, pad-1 conv centres output o on input 2o), so
 * grid coordinates are {@code pixel * scale / stride}, not half-pixel centred; masks go down to the grid by averaging
 * the pixels nearest to each cell centre.
 */
final class Resampling {

  private Resampling() {}

  /** Per destination index along one axis: the two source indices and the weight of the second. */
  static final class Axis {
    final int[] lo;
    final int[] hi;
    final float[] weight;

    private Axis(int n) {
      lo = new int[n];
      hi = new int[n];
      weight = new float[n];
    }

    /** Image resize from {@code src} to {@code dst} samples, half-pixel centres, edge clamped. */
    static Axis bilinear(int src, int dst) {
      Axis a = new Axis(dst);
      double ratio = (double) src / dst;
      for (int i = 0; i < dst; i++) {
        a.set(i, (i + 0.5) * ratio - 0.5, src);
      }
      return a;
    }

    /** Source coordinate {@code i * factor} for {@code dst} samples, edge clamped to {@code [0, src - 1]}. */
    static Axis linear(int dst, double factor, int src) {
      Axis a = new Axis(dst);
      for (int i = 0; i < dst; i++) {
        a.set(i, i * factor, src);
      }
      return a;
    }

    private void set(int i, double coordinate, int src) {
      double c = Math.min(Math.max(coordinate, 0), src - 1);
      int l = (int) Math.floor(c);
      lo[i] = l;
      hi[i] = Math.min(l + 1, src - 1);
      weight[i] = (float) (c - l);
    }
  }

  /** Bilinear resampling of one {@code srcW x srcH} plane (at {@code offset}) onto {@code xs.length x ys.length}. */
  static void resample(float[] src, int offset, int srcW, Axis xs, Axis ys, float[] dst, int dstOffset) {
    int dw = xs.lo.length;
    int dh = ys.lo.length;
    for (int y = 0; y < dh; y++) {
      int r0 = offset + ys.lo[y] * srcW;
      int r1 = offset + ys.hi[y] * srcW;
      float wy = ys.weight[y];
      int o = dstOffset + y * dw;
      for (int x = 0; x < dw; x++) {
        int x0 = xs.lo[x];
        int x1 = xs.hi[x];
        float wx = xs.weight[x];
        float top = src[r0 + x0] + (src[r0 + x1] - src[r0 + x0]) * wx;
        float bottom = src[r1 + x0] + (src[r1 + x1] - src[r1 + x0]) * wx;
        dst[o + x] = top + (bottom - top) * wy;
      }
    }
  }

  /**
   * Averages a full-resolution plane onto the grid: pixel (x, y) belongs to the cell nearest to it,
   * {@code round(x * fx), round(y * fy)} (clamped). Cells no pixel falls in (none at the usual scales) take the
   * nearest pixel's value.
   */
  static float[] average(float[] plane, int width, int height, int gridW, int gridH, double fx, double fy) {
    return average(plane, 0, width, height, gridW, gridH, fx, fy);
  }

  /** {@link #average} of the plane that starts at {@code offset} (one plane of several in one array). */
  static float[] average(
      float[] plane, int offset, int width, int height, int gridW, int gridH, double fx, double fy) {
    int[] cellX = new int[width];
    for (int x = 0; x < width; x++) {
      cellX[x] = (int) Math.min(gridW - 1, Math.round(x * fx));
    }
    float[] sum = new float[gridW * gridH];
    int[] count = new int[gridW * gridH];
    for (int y = 0; y < height; y++) {
      int row = (int) Math.min(gridH - 1, Math.round(y * fy)) * gridW;
      int p = offset + y * width;
      for (int x = 0; x < width; x++) {
        int cell = row + cellX[x];
        sum[cell] += plane[p + x];
        count[cell]++;
      }
    }
    for (int gy = 0; gy < gridH; gy++) {
      for (int gx = 0; gx < gridW; gx++) {
        int cell = gy * gridW + gx;
        if (count[cell] > 0) {
          sum[cell] /= count[cell];
        } else {
          int x = (int) Math.min(width - 1, Math.round(gx / fx));
          int y = (int) Math.min(height - 1, Math.round(gy / fy));
          sum[cell] = plane[offset + y * width + x];
        }
      }
    }
    return sum;
  }
}
