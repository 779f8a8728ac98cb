package dev.alphaflow.model.vos;

import java.util.Arrays;

/**
 * An experiment, not a kernel of the product: the Java readout with each query's softmax restricted to its {@code k}
 * highest-scoring entries (XMem's top-k read; label-propagation evaluations of self-supervised features use the same
 * filter). Narrow values only (soft masks). Measured by {@code VosEvaluation}'s {@code topk} key.
 */
final class TopKAttentionReadout implements AttentionReadout {

  private final int k;

  TopKAttentionReadout(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
  }

  @Override
  public void attend(float[] queries, int queryCount, float[] keys, float[] values, int entryCount, int keyDim,
      int valueDim, float hitThreshold, float[] out, int[] hits) {
    Kernels.checkReadArguments(queries, queryCount, keys, values, entryCount, keyDim, valueDim, out, hits);
    if (entryCount == 0) {
      Arrays.fill(out, 0, queryCount * valueDim, 0f);
      return;
    }
    int m = entryCount;
    int width = Kernels.tileWidth(m);
    int tiles = Kernels.tileCount(m, width);
    float[][] kt = Kernels.packTransposed(keys, m, keyDim, width, (float) (1.0 / Math.sqrt(keyDim)), null);
    int blockRows = Math.min(Kernels.scoreBlockRows(m), queryCount + (queryCount & 1));
    float[][] s = Kernels.newScoreBlock(blockRows, tiles, width);
    float[] row = new float[m];
    float[] sorted = new float[m];
    for (int q0 = 0; q0 < queryCount; q0 += blockRows) {
      int rows = Math.min(blockRows, queryCount - q0);
      Kernels.scores(queries, q0, rows, keyDim, kt, tiles, s);
      for (int r = 0; r < rows; r++) {
        int first = r * tiles;
        for (int t = 0; t < tiles; t++) {
          System.arraycopy(s[first + t], 0, row, t * width, Kernels.tileLength(t, m, width));
        }
        float threshold = Float.NEGATIVE_INFINITY;
        if (k < m) {
          System.arraycopy(row, 0, sorted, 0, m);
          threshold = select(sorted, m, m - k);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
          max = Math.max(max, row[j]);
        }
        double sum = 0;
        for (int j = 0; j < m; j++) {
          float w = row[j] >= threshold ? (float) Math.exp(row[j] - max) : 0f;
          row[j] = w;
          sum += w;
        }
        float inverse = (float) (1.0 / sum);
        for (int c = 0; c < valueDim; c++) {
          double acc = 0;
          for (int j = 0; j < m; j++) {
            acc += row[j] * values[j * valueDim + c];
          }
          out[(q0 + r) * valueDim + c] = (float) (acc * inverse);
        }
        if (hits != null) {
          for (int j = 0; j < m; j++) {
            if (row[j] * inverse > hitThreshold) {
              hits[j]++;
            }
          }
        }
      }
    }
  }

  /** The {@code rank}-th smallest of {@code a[0..n)} (0-based), reordering {@code a}: Hoare quickselect. */
  private static float select(float[] a, int n, int rank) {
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      float pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float tmp = a[i];
          a[i] = a[j];
          a[j] = tmp;
          i++;
          j--;
        }
      }
      if (rank <= j) {
        hi = j;
      } else if (rank >= i) {
        lo = i;
      } else {
        return a[rank];
      }
    }
    return a[rank];
  }

  @Override
  public ReadoutKernel kernel() {
    return ReadoutKernel.JAVA;
  }

  @Override
  public void close() {}
}
