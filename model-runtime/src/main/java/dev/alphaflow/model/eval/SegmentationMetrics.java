package dev.alphaflow.model.eval;

import java.util.Objects;

/**
 * DAVIS region similarity J and boundary accuracy F, as the DAVIS 2016/2017 toolkits compute them
 * ({@code db_eval_iou}, {@code db_eval_boundary} / {@code f_measure} with {@code seg2bmap}).
 *
 * <p>Masks are row-major, {@code index = y * width + x}.
 */
public final class SegmentationMetrics {

  private SegmentationMetrics() {}

  /** The toolkit's default boundary tolerance, as a fraction of the image diagonal. */
  public static final double BOUND_TH = 0.008;

  /** J: intersection over union; 1 when both masks are empty (as {@code db_eval_iou}). */
  public static double regionJ(boolean[] predicted, boolean[] truth) {
    checkSameLength(predicted, truth);
    long inter = 0;
    long union = 0;
    for (int i = 0; i < predicted.length; i++) {
      boolean p = predicted[i];
      boolean t = truth[i];
      if (p && t) {
        inter++;
      }
      if (p || t) {
        union++;
      }
    }
    return union == 0 ? 1.0 : (double) inter / union;
  }

  /** F with the toolkit's default tolerance {@link #BOUND_TH}. */
  public static double boundaryF(boolean[] predicted, boolean[] truth, int width, int height) {
    return boundaryF(predicted, truth, width, height, BOUND_TH);
  }

  /**
   * F: harmonic mean of boundary precision and recall, where a boundary pixel counts as matched when a boundary pixel
   * of the other mask lies within the tolerance disk (radius {@link #tolerancePixels}). Edge cases as the toolkit:
   * both boundaries empty → 1; exactly one empty → 0.
   *
   * @param boundTh tolerance: a fraction of the image diagonal when below 1, else a radius in pixels
   */
  public static double boundaryF(boolean[] predicted, boolean[] truth, int width, int height, double boundTh) {
    checkSameLength(predicted, truth);
    checkSize(predicted, width, height);
    int radius = tolerancePixels(width, height, boundTh);
    boolean[] fg = seg2bmap(predicted, width, height);
    boolean[] gt = seg2bmap(truth, width, height);
    int nFg = count(fg);
    int nGt = count(gt);
    double precision;
    double recall;
    if (nFg == 0 && nGt == 0) {
      return 1.0;
    } else if (nFg == 0 || nGt == 0) {
      return 0.0; // toolkit: (P, R) = (1, 0) or (0, 1)
    } else {
      precision = (double) countMatched(fg, gt, width, height, radius) / nFg;
      recall = (double) countMatched(gt, fg, width, height, radius) / nGt;
    }
    return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
  }

  /** {@code ceil(boundTh * sqrt(w² + h²))} when {@code boundTh < 1}, else {@code boundTh} itself (as the toolkit). */
  public static int tolerancePixels(int width, int height, double boundTh) {
    if (boundTh >= 1) {
      return (int) Math.ceil(boundTh);
    }
    return (int) Math.ceil(boundTh * Math.sqrt((double) width * width + (double) height * height));
  }

  /**
   * The toolkit's {@code seg2bmap} at the mask's own resolution: a pixel is boundary when it differs from its right,
   * bottom or bottom-right neighbour; on the last row only the right neighbour counts, on the last column only the
   * bottom one, and the bottom-right corner pixel is never boundary.
   */
  public static boolean[] seg2bmap(boolean[] seg, int width, int height) {
    checkSize(seg, width, height);
    boolean[] b = new boolean[seg.length];
    for (int y = 0; y < height; y++) {
      int row = y * width;
      boolean lastRow = y == height - 1;
      for (int x = 0; x < width; x++) {
        int i = row + x;
        boolean v = seg[i];
        boolean lastCol = x == width - 1;
        if (lastRow && lastCol) {
          b[i] = false;
        } else if (lastRow) {
          b[i] = v != seg[i + 1];
        } else if (lastCol) {
          b[i] = v != seg[i + width];
        } else {
          b[i] = v != seg[i + 1] || v != seg[i + width] || v != seg[i + width + 1];
        }
      }
    }
    return b;
  }

  /**
   * How many {@code from} pixels have a {@code to} pixel within Euclidean distance {@code radius} (the disk
   * {@code dx² + dy² ≤ r²}, as skimage's {@code disk}). Exact, in O(w·h·(2r+1)): first the horizontal distance to the
   * nearest {@code to} pixel in each row (capped at r+1), then a scan over the 2r+1 rows around each {@code from} pixel.
   */
  static int countMatched(boolean[] from, boolean[] to, int width, int height, int radius) {
    int cap = radius + 1;
    int[] horiz = new int[to.length];
    for (int y = 0; y < height; y++) {
      int row = y * width;
      int d = cap;
      for (int x = 0; x < width; x++) {
        d = to[row + x] ? 0 : Math.min(cap, d + 1);
        horiz[row + x] = d;
      }
      d = cap;
      for (int x = width - 1; x >= 0; x--) {
        d = to[row + x] ? 0 : Math.min(cap, d + 1);
        if (d < horiz[row + x]) {
          horiz[row + x] = d;
        }
      }
    }
    long r2 = (long) radius * radius;
    int matched = 0;
    for (int y = 0; y < height; y++) {
      int y0 = Math.max(0, y - radius);
      int y1 = Math.min(height - 1, y + radius);
      for (int x = 0; x < width; x++) {
        if (!from[y * width + x]) {
          continue;
        }
        for (int yy = y0; yy <= y1; yy++) {
          long h = horiz[yy * width + x];
          long dy = yy - y;
          if (h <= radius && h * h + dy * dy <= r2) {
            matched++;
            break;
          }
        }
      }
    }
    return matched;
  }

  private static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  private static void checkSameLength(boolean[] predicted, boolean[] truth) {
    Objects.requireNonNull(predicted, "predicted");
    Objects.requireNonNull(truth, "truth");
    if (predicted.length != truth.length) {
      throw new IllegalArgumentException("predicted has " + predicted.length + " pixels, truth has " + truth.length);
    }
  }

  private static void checkSize(boolean[] mask, int width, int height) {
    if (width <= 0 || height <= 0 || (long) width * height != mask.length) {
      throw new IllegalArgumentException("mask of " + mask.length + " pixels is not " + width + "x" + height);
    }
  }
}
