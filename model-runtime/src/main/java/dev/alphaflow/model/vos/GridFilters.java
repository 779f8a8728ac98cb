package dev.alphaflow.model.vos;

import java.util.Arrays;

/**
 * Separable square-window filters on small row-major grids (the key grid): maximum and mean, cut at the edges; and the
 * chessboard distance transform (also used on full frames by {@link LocalColourModels}).
 */
final class GridFilters {

  private GridFilters() {}

  /** The maximum over the (2r+1)^2 window around each cell. */
  static float[] dilate(float[] x, int w, int h, int r) {
    if (r == 0) {
      return x.clone();
    }
    float[] rows = new float[w * h];
    for (int y = 0; y < h; y++) {
      int o = y * w;
      for (int i = 0; i < w; i++) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = Math.max(0, i - r); j <= Math.min(w - 1, i + r); j++) {
          m = Math.max(m, x[o + j]);
        }
        rows[o + i] = m;
      }
    }
    float[] out = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int i = 0; i < w; i++) {
        float m = Float.NEGATIVE_INFINITY;
        for (int yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
          m = Math.max(m, rows[yy * w + i]);
        }
        out[y * w + i] = m;
      }
    }
    return out;
  }

  /** The mean over the (2r+1)^2 window around each cell (over the cells inside the grid). */
  static float[] boxMean(float[] x, int w, int h, int r) {
    if (r == 0) {
      return x.clone();
    }
    float[] rows = new float[w * h];
    for (int y = 0; y < h; y++) {
      int o = y * w;
      for (int i = 0; i < w; i++) {
        float s = 0;
        int lo = Math.max(0, i - r);
        int hi = Math.min(w - 1, i + r);
        for (int j = lo; j <= hi; j++) {
          s += x[o + j];
        }
        rows[o + i] = s / (hi - lo + 1);
      }
    }
    float[] out = new float[w * h];
    for (int y = 0; y < h; y++) {
      int lo = Math.max(0, y - r);
      int hi = Math.min(h - 1, y + r);
      for (int i = 0; i < w; i++) {
        float s = 0;
        for (int yy = lo; yy <= hi; yy++) {
          s += rows[yy * w + i];
        }
        out[y * w + i] = s / (hi - lo + 1);
      }
    }
    return out;
  }

  /**
   * Per cell, the chessboard distance (in cells) to the nearest cell with {@code x >= threshold}: a two-pass chamfer
   * transform with unit steps to all eight neighbours. Every cell is {@link Integer#MAX_VALUE} when no cell reaches
   * the threshold.
   */
  static int[] distanceTo(float[] x, int w, int h, float threshold) {
    int far = Integer.MAX_VALUE / 2;
    int[] d = new int[w * h];
    boolean any = false;
    for (int i = 0; i < d.length; i++) {
      boolean inside = x[i] >= threshold;
      d[i] = inside ? 0 : far;
      any |= inside;
    }
    if (!any) {
      Arrays.fill(d, Integer.MAX_VALUE);
      return d;
    }
    chessboardChamfer(d, w, h);
    return d;
  }

  /**
   * In place, {@code d[i] = min over cells j of d[j] + chessboard distance(i, j)}: two raster passes with unit steps
   * to all eight neighbours. Seeds are 0, the rest a large value that stays the cap where nothing is nearer.
   */
  static void chessboardChamfer(int[] d, int w, int h) {
    for (int y = 0; y < h; y++) {
      for (int i = 0; i < w; i++) {
        int o = y * w + i;
        int v = d[o];
        if (i > 0) {
          v = Math.min(v, d[o - 1] + 1);
        }
        if (y > 0) {
          v = Math.min(v, d[o - w] + 1);
          if (i > 0) {
            v = Math.min(v, d[o - w - 1] + 1);
          }
          if (i < w - 1) {
            v = Math.min(v, d[o - w + 1] + 1);
          }
        }
        d[o] = v;
      }
    }
    for (int y = h - 1; y >= 0; y--) {
      for (int i = w - 1; i >= 0; i--) {
        int o = y * w + i;
        int v = d[o];
        if (i < w - 1) {
          v = Math.min(v, d[o + 1] + 1);
        }
        if (y < h - 1) {
          v = Math.min(v, d[o + w] + 1);
          if (i < w - 1) {
            v = Math.min(v, d[o + w + 1] + 1);
          }
          if (i > 0) {
            v = Math.min(v, d[o + w - 1] + 1);
          }
        }
        d[o] = v;
      }
    }
  }
}
