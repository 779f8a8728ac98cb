package dev.alphaflow.model.vos;

import java.util.Arrays;
import java.util.Objects;

/**
 * The blocked float kernels behind the Java attention readout and the feature bank's nearest-key search.
 *
 * <p>Why the odd layout: C2 (JDK 17) vectorizes a loop only when it can rule out that a store and a load of another
 * array overlap across iterations, and it cannot tell two {@code float[]} parameters apart. A loop that indexes every
 * array with the bare loop variable ({@code s[j] += a * k[j]}) is safe even if the arrays were the same, so it is
 * vectorized; {@code s[so + j] += a * k[ko + j]} is not (measured: 6 vs 40+ GFLOPS on one core). So the matrices the
 * inner loops touch are stored as arrays of tiles, one {@code float[]} per (row, tile): a transposed bank
 * {@code kt[t * d + k][j] = key[t * width + j][k]} and scores {@code s[r * tiles + t][j]}.
 */
final class Kernels {

  private Kernels() {}

  /** Checks the arguments of {@link AttentionReadout#attend}; shared by the implementations. */
  static void checkReadArguments(float[] queries, int queryCount, float[] keys, float[] values, int entryCount,
      int keyDim, int valueDim, float[] out, int[] hits) {
    if (keyDim < 1 || valueDim < 1) {
      throw new IllegalArgumentException("keyDim and valueDim must be positive, got " + keyDim + " and " + valueDim);
    }
    if (queryCount < 0 || entryCount < 0) {
      throw new IllegalArgumentException("queryCount and entryCount must be >= 0, got " + queryCount + " and "
          + entryCount);
    }
    checkLength("queries", queries, (long) queryCount * keyDim);
    checkLength("keys", keys, (long) entryCount * keyDim);
    checkLength("values", values, (long) entryCount * valueDim);
    checkLength("out", out, (long) queryCount * valueDim);
    if (hits != null && hits.length < entryCount) {
      throw new IllegalArgumentException("hits holds " + hits.length + " counters, need " + entryCount);
    }
  }

  private static void checkLength(String name, float[] array, long needed) {
    Objects.requireNonNull(array, name);
    if (array.length < needed) {
      throw new IllegalArgumentException(name + " holds " + array.length + " floats, need at least " + needed);
    }
  }

  /** Widest tile; a tile row of 512 floats keeps the k-chunk of the transposed bank in L1. */
  static final int MAX_TILE = 512;
  /** Rows of the packed bank one pass over the score rows uses, so they stay in L1 across those rows. */
  private static final int K_CHUNK = 8;
  /** Score rows computed at once: enough to reuse each packed tile, few enough to keep the block near L2. */
  private static final int SCORE_BLOCK_FLOATS = 1 << 19;

  /** Columns per tile for {@code m} entries: a multiple of 16 (one AVX-512 vector), at most {@link #MAX_TILE}. */
  static int tileWidth(int m) {
    return Math.min(MAX_TILE, Math.max(16, (m + 15) & ~15));
  }

  static int tileCount(int m, int width) {
    return (m + width - 1) / width;
  }

  /** Valid columns of tile {@code t}: the last one may be partial. */
  static int tileLength(int t, int m, int width) {
    return Math.min(width, m - t * width);
  }

  /** Rows of a score block for {@code m} columns: even, at least 2, at most 64. */
  static int scoreBlockRows(int m) {
    int rows = SCORE_BLOCK_FLOATS / Math.max(1, m);
    return Math.max(2, Math.min(64, rows & ~1));
  }

  /**
   * Packs {@code m} rows of {@code src} (row-major, {@code d} columns) transposed into tiles:
   * {@code out[t * d + k][j] = src[(t * width + j) * d + k] * scale * rowScale[row]}. Padding columns are zero.
   *
   * @param rowScale per-row factor, or null for none
   */
  static float[][] packTransposed(float[] src, int m, int d, int width, float scale, float[] rowScale) {
    int tiles = tileCount(m, width);
    float[][] out = new float[tiles * d][width];
    for (int row = 0; row < m; row++) {
      int t = row / width;
      int j = row - t * width;
      float f = rowScale == null ? scale : scale * rowScale[row];
      int base = t * d;
      int offset = row * d;
      for (int k = 0; k < d; k++) {
        out[base + k][j] = src[offset + k] * f;
      }
    }
    return out;
  }

  /**
   * Packs {@code m} rows of {@code src} (row-major, {@code n} columns) into column tiles, not transposed:
   * {@code out[t * m + row][c] = src[row * n + t * width + c]}, padding zero. The right-hand side of
   * {@link #scores} with the rows as the summed dimension.
   */
  static float[][] packRows(float[] src, int m, int n, int width) {
    int tiles = tileCount(n, width);
    float[][] out = new float[tiles * m][width];
    for (int t = 0; t < tiles; t++) {
      int length = tileLength(t, n, width);
      for (int row = 0; row < m; row++) {
        System.arraycopy(src, row * n + t * width, out[t * m + row], 0, length);
      }
    }
    return out;
  }

  /** A fresh score block: {@code rows * tiles} tile rows of {@code width} floats. */
  static float[][] newScoreBlock(int rows, int tiles, int width) {
    return new float[rows * tiles][width];
  }

  /**
   * Scores of a block of rows: {@code s[r * tiles + t][j] = sum_k q[(q0 + r) * d + k] * kt[t * d + k][j]} for
   * {@code r < rows}, over whole tiles (padding columns come out as zero when the padding of {@code kt} is zero).
   */
  static void scores(float[] q, int q0, int rows, int d, float[][] kt, int tiles, float[][] s) {
    int width = kt[0].length;
    for (int t = 0; t < tiles; t++) {
      for (int r = 0; r < rows; r++) {
        Arrays.fill(s[r * tiles + t], 0f);
      }
      int base = t * d;
      for (int kc = 0; kc < d; kc += K_CHUNK) {
        int kEnd = Math.min(d, kc + K_CHUNK);
        int r = 0;
        for (; r + 1 < rows; r += 2) {
          float[] s0 = s[r * tiles + t];
          float[] s1 = s[(r + 1) * tiles + t];
          int q0o = (q0 + r) * d;
          int q1o = q0o + d;
          int k = kc;
          for (; k + 3 < kEnd; k += 4) {
            fma4x2(s0, s1, q[q0o + k], q[q0o + k + 1], q[q0o + k + 2], q[q0o + k + 3],
                q[q1o + k], q[q1o + k + 1], q[q1o + k + 2], q[q1o + k + 3],
                kt[base + k], kt[base + k + 1], kt[base + k + 2], kt[base + k + 3], width);
          }
          for (; k < kEnd; k++) {
            fma1x2(s0, s1, q[q0o + k], q[q1o + k], kt[base + k], width);
          }
        }
        if (r < rows) {
          float[] s0 = s[r * tiles + t];
          int q0o = (q0 + r) * d;
          for (int k = kc; k < kEnd; k++) {
            fma1(s0, q[q0o + k], kt[base + k], width);
          }
        }
      }
    }
  }

  private static void fma4x2(float[] s0, float[] s1, float a0, float a1, float a2, float a3,
      float b0, float b1, float b2, float b3, float[] k0, float[] k1, float[] k2, float[] k3, int n) {
    for (int j = 0; j < n; j++) {
      float x0 = k0[j];
      float x1 = k1[j];
      float x2 = k2[j];
      float x3 = k3[j];
      s0[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
      s1[j] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
    }
  }

  private static void fma1x2(float[] s0, float[] s1, float a, float b, float[] k0, int n) {
    for (int j = 0; j < n; j++) {
      float x = k0[j];
      s0[j] += a * x;
      s1[j] += b * x;
    }
  }

  private static void fma1(float[] s0, float a, float[] k0, int n) {
    for (int j = 0; j < n; j++) {
      s0[j] += a * k0[j];
    }
  }

  /** {@code acc[j] += x[j] * y[j]} for {@code j < n}. */
  static void mulAdd(float[] acc, float[] x, float[] y, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] += x[j] * y[j];
    }
  }

  /** {@code acc[j] += x[j]} for {@code j < n}. */
  static void add(float[] acc, float[] x, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] += x[j];
    }
  }

  static float sum(float[] x, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += x[j];
      s1 += x[j + 1];
      s2 += x[j + 2];
      s3 += x[j + 3];
    }
    for (; j < n; j++) {
      s0 += x[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  static float max(float[] x, int n, float start) {
    float m = start;
    for (int j = 0; j < n; j++) {
      m = Math.max(m, x[j]);
    }
    return m;
  }

  /** Lowest exp argument kept: exp(-87) = 1.6e-38 is still a normal float; lower arguments are clamped to it. */
  private static final float EXP_MIN_ARGUMENT = -87f;
  private static final float LOG2_E = 1.44269504f;
  /** ln 2 split in two (Cody and Waite): k * LN2_HI is exact for |k| < 256, LN2_LO carries the rest. */
  private static final float LN2_HI = 0.693145751953125f;
  private static final float LN2_LO = 1.428606765330187e-6f;
  /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
  private static final float ROUND_MAGIC = 12582912f;

  /**
   * {@code x[j] = exp(x[j] - shift)} for {@code j < n}, for arguments at most 88 (softmax passes the row maximum, so
   * every argument is <= 0). exp(a) = 2^k e^r with k = round(a / ln 2), r = a - k ln 2 in [-0.35, 0.35] and e^r by
   * its Taylor series to degree 7: relative error about 1e-7 (2 ulp) for a in [-87, 0]; below -87 the result is
   * clamped to exp(-87). Three loops, the first without conversions, so that C2 vectorizes it (a single loop with a
   * float-to-int conversion and {@code Float.intBitsToFloat} ran about 4x slower).
   *
   * @param kScratch,bitsScratch at least {@code n} long
   */
  static void expInPlace(float[] x, int n, float shift, float[] kScratch, int[] bitsScratch) {
    for (int j = 0; j < n; j++) {
      float a = Math.max(x[j] - shift, EXP_MIN_ARGUMENT);
      float k = (a * LOG2_E + ROUND_MAGIC) - ROUND_MAGIC; // nearest integer
      float r = (a - k * LN2_HI) - k * LN2_LO;
      float p = 1.9841270e-4f; // 1/7!
      p = p * r + 1.3888889e-3f;
      p = p * r + 8.3333333e-3f;
      p = p * r + 4.1666667e-2f;
      p = p * r + 1.6666667e-1f;
      p = p * r + 0.5f;
      p = p * r + 1f;
      p = p * r + 1f;
      x[j] = p;
      kScratch[j] = k;
    }
    for (int j = 0; j < n; j++) {
      bitsScratch[j] = ((int) kScratch[j] + 127) << 23; // 2^k, k in [-126, 127]
    }
    for (int j = 0; j < n; j++) {
      x[j] *= Float.intBitsToFloat(bitsScratch[j]);
    }
  }

  /** Factor that turns any positive difference between floats >= 1e-20 into >= 1 (their spacing is >= 6e-28). */
  private static final float STEP_GAIN = 0x1p100f;

  /**
   * {@code x[j] *= factor} and {@code hits[j] += 1} where the scaled value exceeds {@code threshold}, for
   * {@code j < n}. The count is a branch-free clamp so that C2 vectorizes it; exact for thresholds >= 1e-20.
   */
  static void scaleAndCount(float[] x, int n, float factor, float threshold, float[] hits) {
    for (int j = 0; j < n; j++) {
      float p = x[j] * factor;
      x[j] = p;
      hits[j] += Math.min(1f, Math.max(0f, (p - threshold) * STEP_GAIN));
    }
  }

  static void scale(float[] x, int n, float factor) {
    for (int j = 0; j < n; j++) {
      x[j] *= factor;
    }
  }
}
