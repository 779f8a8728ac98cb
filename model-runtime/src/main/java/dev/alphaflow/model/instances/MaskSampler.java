package dev.alphaflow.model.instances;

/**
 * Turns a low-resolution mask logit grid that covers a model's input into a full-frame binary mask: bilinear
 * sampling with half-pixel centres and edge clamping (PyTorch {@code interpolate(align_corners=False)}), through
 * the letterbox, thresholded; only pixels inside a frame rectangle (the crop) are considered.
 */
final class MaskSampler {

  private MaskSampler() {}

  /**
   * @param grid logits, row-major {@code gridHeight x gridWidth}, starting at {@code offset}
   * @param logitThreshold a pixel is set where the interpolated logit exceeds this
   * @param crop frame pixels whose centre lies in {@code [x0, x1) x [y0, y1)} of this box are considered; null =
   *     the whole frame
   */
  static BinaryMask sample(float[] grid, int offset, int gridWidth, int gridHeight, Letterbox letterbox,
      float logitThreshold, Box crop) {
    int fw = letterbox.frameWidth();
    int fh = letterbox.frameHeight();
    BinaryMask.Builder mask = BinaryMask.builder(fw, fh);
    int px0 = 0;
    int py0 = 0;
    int px1 = fw;
    int py1 = fh;
    if (crop != null) {
      // Pixel x is inside when x + 0.5 is in [x0, x1).
      px0 = Math.max(0, (int) Math.ceil(crop.x0() - 0.5));
      py0 = Math.max(0, (int) Math.ceil(crop.y0() - 0.5));
      px1 = Math.min(fw, (int) Math.ceil(crop.x1() - 0.5));
      py1 = Math.min(fh, (int) Math.ceil(crop.y1() - 0.5));
    }
    if (px1 <= px0 || py1 <= py0) {
      return mask.build();
    }
    double strideX = (double) letterbox.inputWidth() / gridWidth;
    double strideY = (double) letterbox.inputHeight() / gridHeight;
    int n = px1 - px0;
    int[] c0 = new int[n];
    int[] c1 = new int[n];
    float[] wx = new float[n];
    for (int i = 0; i < n; i++) {
      double g = Math.max(0, letterbox.toInputX(px0 + i + 0.5) / strideX - 0.5);
      int c = Math.min((int) g, gridWidth - 1);
      c0[i] = c;
      c1[i] = Math.min(c + 1, gridWidth - 1);
      wx[i] = c == gridWidth - 1 ? 0f : (float) (g - c);
    }
    for (int y = py0; y < py1; y++) {
      double g = Math.max(0, letterbox.toInputY(y + 0.5) / strideY - 0.5);
      int r = Math.min((int) g, gridHeight - 1);
      int row0 = offset + r * gridWidth;
      int row1 = offset + Math.min(r + 1, gridHeight - 1) * gridWidth;
      float wy = r == gridHeight - 1 ? 0f : (float) (g - r);
      int base = y * fw + px0;
      for (int i = 0; i < n; i++) {
        float fx = wx[i];
        float top = grid[row0 + c0[i]] * (1 - fx) + grid[row0 + c1[i]] * fx;
        float bottom = grid[row1 + c0[i]] * (1 - fx) + grid[row1 + c1[i]] * fx;
        if (top * (1 - wy) + bottom * wy > logitThreshold) {
          mask.set(base + i);
        }
      }
    }
    return mask.build();
  }

  /** The logit whose sigmoid is {@code probability}. */
  static float logit(float probability) {
    return (float) Math.log(probability / (1.0 - probability));
  }

  static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }
}
