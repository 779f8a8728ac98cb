package dev.alphaflow.model.vos;

import java.util.Random;

/** Straightforward reference implementations (double precision, plain loops) that the fast kernels are checked against. */
final class NaiveAttention {

  private NaiveAttention() {}

  /** Softmax weights [n][m] of q . k / sqrt(d), max subtracted. */
  static double[][] weights(float[] q, int n, float[] k, int m, int d) {
    double[][] w = new double[n][m];
    double scale = 1.0 / Math.sqrt(d);
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int c = 0; c < d; c++) {
          s += (double) q[i * d + c] * k[j * d + c];
        }
        w[i][j] = s * scale;
        max = Math.max(max, w[i][j]);
      }
      double sum = 0;
      for (int j = 0; j < m; j++) {
        w[i][j] = Math.exp(w[i][j] - max);
        sum += w[i][j];
      }
      for (int j = 0; j < m; j++) {
        w[i][j] /= sum;
      }
    }
    return w;
  }

  /** Readout [n * v] = weights . values. */
  static double[] readout(double[][] w, float[] values, int m, int v) {
    int n = w.length;
    double[] out = new double[n * v];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        for (int c = 0; c < v; c++) {
          out[i * v + c] += w[i][j] * values[j * v + c];
        }
      }
    }
    return out;
  }

  /** Queries per entry whose weight exceeds the threshold. */
  static int[] hits(double[][] w, int m, double threshold) {
    int[] hits = new int[m];
    for (double[] row : w) {
      for (int j = 0; j < m; j++) {
        if (row[j] > threshold) {
          hits[j]++;
        }
      }
    }
    return hits;
  }

  /** Per entry, the (query, entry) weights within {@code margin} of the threshold: where float kernels may differ. */
  static int[] borderline(double[][] w, int m, double threshold, double margin) {
    int[] count = new int[m];
    for (double[] row : w) {
      for (int j = 0; j < m; j++) {
        if (Math.abs(row[j] - threshold) <= margin) {
          count[j]++;
        }
      }
    }
    return count;
  }

  static float[] gaussian(Random random, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (random.nextGaussian() * scale);
    }
    return x;
  }

  static double cosine(float[] a, int ao, float[] b, int bo, int d) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < d; i++) {
      dot += (double) a[ao + i] * b[bo + i];
      na += (double) a[ao + i] * a[ao + i];
      nb += (double) b[bo + i] * b[bo + i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  static double norm(float[] a, int offset, int d) {
    double s = 0;
    for (int i = 0; i < d; i++) {
      s += (double) a[offset + i] * a[offset + i];
    }
    return Math.sqrt(s);
  }
}
