package dev.alphaflow.model.vos;

import java.util.Arrays;
import java.util.Objects;

/**
 * AFB-URR's uncertainty map over per-pixel class probabilities (background + objects), exactly as its code computes
 * it ({@code calc_uncertainty}):
 *
 * <pre>
 *   U_i = exp(1 − top1_i / (top2_i + 1e-8))
 * </pre>
 *
 * where top1 and top2 are the largest and second-largest class probabilities of pixel i. No further normalisation
 * (the paper's L2 norm over the image is its training loss, not part of the map). U is 1 where the two leading classes
 * tie and falls towards 0 as the leader dominates: 0.5/0.5 → 1, 0.6/0.4 → 0.61, 0.9/0.1 → 3.4e-4. It exceeds 1 only
 * by the epsilon when both leaders are below about 1e-7.
 */
public final class UncertaintyMap {

  private UncertaintyMap() {}

  /** Added to top2 before dividing, as in AFB-URR. */
  public static final double EPSILON = 1e-8;

  /** The uncertainty of each pixel over {@code classes} (at least two maps of equal length). */
  public static float[] compute(float[][] classes) {
    Objects.requireNonNull(classes, "classes");
    if (classes.length < 2) {
      throw new IllegalArgumentException("uncertainty needs at least 2 classes (background + an object), got "
          + classes.length);
    }
    int pixels = Objects.requireNonNull(classes[0], "classes[0]").length;
    for (int c = 1; c < classes.length; c++) {
      if (Objects.requireNonNull(classes[c], "classes[" + c + "]").length != pixels) {
        throw new IllegalArgumentException("class " + c + " has " + classes[c].length + " pixels, class 0 has "
            + pixels);
      }
    }
    float[] u = new float[pixels];
    for (int i = 0; i < pixels; i++) {
      float top1 = Float.NEGATIVE_INFINITY;
      float top2 = Float.NEGATIVE_INFINITY;
      for (float[] cls : classes) {
        float p = cls[i];
        if (p > top1) {
          top2 = top1;
          top1 = p;
        } else if (p > top2) {
          top2 = p;
        }
      }
      u[i] = (float) Math.exp(1.0 - top1 / (top2 + EPSILON));
    }
    return u;
  }

  /** The uncertainty over the background and objects of a soft aggregation. */
  public static float[] compute(SoftAggregation.Result aggregated) {
    return compute(Objects.requireNonNull(aggregated, "aggregated").classes());
  }

  /** Indices of the pixels whose uncertainty exceeds {@code threshold}, ascending. */
  public static int[] above(float[] uncertainty, float threshold) {
    Objects.requireNonNull(uncertainty, "uncertainty");
    int[] indices = new int[uncertainty.length];
    int n = 0;
    for (int i = 0; i < uncertainty.length; i++) {
      if (uncertainty[i] > threshold) {
        indices[n++] = i;
      }
    }
    return Arrays.copyOf(indices, n);
  }
}
