package dev.alphaflow.model.vos;

import java.util.Arrays;

/**
 * The attention readout in plain Java, one thread: blocked Q·Kᵀ over a transposed, tiled copy of the bank (see
 * {@link Kernels}), a numerically stable softmax per query (maximum subtracted, vectorizable exp), hit counting in the
 * same pass as the normalisation, then P·V (a second blocked product, or dot products for narrow values). Scratch
 * is allocated per call (the packed bank, a block of score rows); nothing is kept between calls, so this class is in
 * fact thread-safe.
 */
final class JavaAttentionReadout implements AttentionReadout {

  /** From this many value channels on, P·V runs as a blocked product; below, as one dot product per channel. */
  private static final int WIDE_VALUES = 16;

  @Override
  public void attend(float[] queries, int queryCount, float[] keys, float[] values, int entryCount, int keyDim,
      int valueDim, float hitThreshold, float[] out, int[] hits) {
    Kernels.checkReadArguments(queries, queryCount, keys, values, entryCount, keyDim, valueDim, out, hits);
    if (entryCount == 0) {
      Arrays.fill(out, 0, queryCount * valueDim, 0f); // softmax over nothing: no memory to read
      return;
    }
    if (queryCount == 0) {
      return;
    }
    int m = entryCount;
    int width = Kernels.tileWidth(m);
    int tiles = Kernels.tileCount(m, width);
    float[][] kt = Kernels.packTransposed(keys, m, keyDim, width, (float) (1.0 / Math.sqrt(keyDim)), null);
    boolean wide = valueDim >= WIDE_VALUES;
    // Wide values: P·V is a second blocked product, weights as the left rows and V packed in channel tiles.
    int valueWidth = Kernels.tileWidth(valueDim);
    int valueTiles = Kernels.tileCount(valueDim, valueWidth);
    float[][] vp = wide ? Kernels.packRows(values, m, valueDim, valueWidth) : null;
    // Narrow values (soft masks): one dot product per channel over the tiled, transposed values.
    float[][] vt = wide ? null : Kernels.packTransposed(values, m, valueDim, width, 1f, null);
    float[][] hitTiles = hits == null ? null : new float[tiles][width];

    int blockRows = Math.min(Kernels.scoreBlockRows(m), queryCount + (queryCount & 1));
    float[][] s = Kernels.newScoreBlock(blockRows, tiles, width);
    float[] weights = wide ? new float[blockRows * m] : null;
    float[][] readout = wide ? Kernels.newScoreBlock(blockRows, valueTiles, valueWidth) : null;
    float[] kScratch = new float[width];
    int[] bitsScratch = new int[width];
    float[] lanes = new float[width];

    for (int q0 = 0; q0 < queryCount; q0 += blockRows) {
      int rows = Math.min(blockRows, queryCount - q0);
      Kernels.scores(queries, q0, rows, keyDim, kt, tiles, s);
      for (int r = 0; r < rows; r++) {
        int first = r * tiles;
        // softmax over the entries of this query, max subtracted for stability
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < tiles; t++) {
          max = Kernels.max(s[first + t], Kernels.tileLength(t, m, width), max);
        }
        Arrays.fill(lanes, 0f);
        for (int t = 0; t < tiles; t++) {
          int n = Kernels.tileLength(t, m, width);
          Kernels.expInPlace(s[first + t], n, max, kScratch, bitsScratch);
          Kernels.add(lanes, s[first + t], n);
        }
        float inverse = 1f / Kernels.sum(lanes, width);
        for (int t = 0; t < tiles; t++) {
          int n = Kernels.tileLength(t, m, width);
          if (hitTiles != null) {
            Kernels.scaleAndCount(s[first + t], n, inverse, hitThreshold, hitTiles[t]);
          } else {
            Kernels.scale(s[first + t], n, inverse);
          }
          if (wide) {
            System.arraycopy(s[first + t], 0, weights, r * m + t * width, n);
          }
        }
        if (!wide) {
          int o = (q0 + r) * valueDim;
          for (int c = 0; c < valueDim; c++) {
            Arrays.fill(lanes, 0f);
            for (int t = 0; t < tiles; t++) {
              Kernels.mulAdd(lanes, s[first + t], vt[t * valueDim + c], Kernels.tileLength(t, m, width));
            }
            out[o + c] = Kernels.sum(lanes, width);
          }
        }
      }
      if (wide) {
        Kernels.scores(weights, 0, rows, m, vp, valueTiles, readout);
        for (int r = 0; r < rows; r++) {
          int o = (q0 + r) * valueDim;
          for (int t = 0; t < valueTiles; t++) {
            System.arraycopy(readout[r * valueTiles + t], 0, out, o + t * valueWidth,
                Kernels.tileLength(t, valueDim, valueWidth));
          }
        }
      }
    }
    if (hits != null) {
      for (int t = 0; t < tiles; t++) {
        int n = Kernels.tileLength(t, m, width);
        for (int j = 0; j < n; j++) {
          hits[t * width + j] += (int) hitTiles[t][j];
        }
      }
    }
  }

  @Override
  public ReadoutKernel kernel() {
    return ReadoutKernel.JAVA;
  }

  @Override
  public void close() {
    // nothing native
  }

  @Override
  public String toString() {
    return "AttentionReadout{JAVA}";
  }
}
