package dev.alphaflow.model.vos;

/**
 * Short-term matching against the previous frame within a window: each query position attends, by softmax over
 * {@code logitScale * q.k}, only to the previous frame's keys within {@code radius} cells (a square window, cut at the
 * grid's edge), and reads the previous masks with those weights. Objects move little between frames, so a local
 * match cannot jump to a look-alike elsewhere in the frame, which a global read can (STM/AFB-URR read globally; the
 * label-propagation literature (CRW, DINO) restricts to a local window for exactly this).
 */
final class LocalAttention {

  private LocalAttention() {}

  /**
   * @param queries {@code [gw * gh, dim]} this frame's keys
   * @param keys {@code [gw * gh, dim]} the previous frame's keys, same grid
   * @param masks per object {@code [gw * gh]}: the previous frame's soft masks
   * @return per object {@code [gw * gh]}: the masks read at each query position
   */
  static float[][] read(float[] queries, float[] keys, int gw, int gh, int dim, int radius, float logitScale,
      float[][] masks) {
    int n = gw * gh;
    int objects = masks.length;
    float[][] out = new float[objects][n];
    int side = 2 * radius + 1;
    float[] logits = new float[side * side];
    int[] index = new int[side * side];
    for (int y = 0; y < gh; y++) {
      int y0 = Math.max(0, y - radius);
      int y1 = Math.min(gh - 1, y + radius);
      for (int x = 0; x < gw; x++) {
        int x0 = Math.max(0, x - radius);
        int x1 = Math.min(gw - 1, x + radius);
        int q = (y * gw + x) * dim;
        int count = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int yy = y0; yy <= y1; yy++) {
          for (int xx = x0; xx <= x1; xx++) {
            int j = yy * gw + xx;
            float logit = logitScale * dot(queries, q, keys, j * dim, dim);
            logits[count] = logit;
            index[count++] = j;
            if (logit > max) {
              max = logit;
            }
          }
        }
        double sum = 0;
        for (int k = 0; k < count; k++) {
          float w = (float) Math.exp(logits[k] - max);
          logits[k] = w;
          sum += w;
        }
        float inverse = (float) (1.0 / sum);
        int p = y * gw + x;
        for (int m = 0; m < objects; m++) {
          float[] mask = masks[m];
          float v = 0;
          for (int k = 0; k < count; k++) {
            v += logits[k] * mask[index[k]];
          }
          out[m][p] = Math.min(1f, v * inverse);
        }
      }
    }
    return out;
  }

  /** Dot product with four accumulators, so the JIT can overlap the multiply-adds. */
  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
