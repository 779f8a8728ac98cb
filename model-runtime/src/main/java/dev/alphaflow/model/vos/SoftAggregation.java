package dev.alphaflow.model.vos;

import java.util.Arrays;
import java.util.Objects;

/**
 * RGMP's soft aggregation: turns independent per-object foreground probabilities into one distribution over
 * background + objects per pixel, so that objects compete for pixels.
 *
 * <p>Per pixel, with {@code clamp(x) = min(max(x, 1e-7), 1 - 1e-7)} and the object estimates {@code p̂_m}:
 *
 * <pre>
 *   p̂_bg = Π_m (1 − p̂_m)                              background estimate, from the unclamped estimates
 *   o_x  = clamp(p̂_x) / (1 − clamp(p̂_x))              odds, for x = bg and every object
 *   p_m  = o_m / (o_bg + Σ_j o_j)                      each object
 *   p_bg = max(0, 1 − Σ_m p_m)                         background (DESIGN.md: 1 − Σ foreground)
 * </pre>
 *
 * This is softmax over the logits {@code ln o_x}, as STM's and AFB-URR's code computes it; the clamp keeps the odds
 * finite. With one object it sharpens: {@code p = o² / (o² + 1)}. Computed in double per pixel.
 */
public final class SoftAggregation {

  private SoftAggregation() {}

  /** Probabilities are clamped to [EPSILON, 1 - EPSILON] before taking odds. */
  public static final double EPSILON = 1e-7;

  /**
   * Aggregates the estimates {@code probabilities[m]} of objects {@code objectIds[m]}.
   *
   * @param objectIds distinct, arbitrary ids; the result keeps their order
   * @param probabilities one array per object, all the same length (pixels), values in [0, 1]
   */
  public static Result aggregate(int[] objectIds, float[][] probabilities) {
    Objects.requireNonNull(objectIds, "objectIds");
    Objects.requireNonNull(probabilities, "probabilities");
    if (objectIds.length != probabilities.length) {
      throw new IllegalArgumentException(objectIds.length + " object ids but " + probabilities.length
          + " probability maps");
    }
    int objects = objectIds.length;
    int[] ids = objectIds.clone();
    int[] sorted = ids.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < objects; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("object id " + sorted[i] + " appears twice");
      }
    }
    int pixels = objects == 0 ? 0 : Objects.requireNonNull(probabilities[0], "probabilities[0]").length;
    for (int m = 0; m < objects; m++) {
      float[] p = Objects.requireNonNull(probabilities[m], "probabilities[" + m + "]");
      if (p.length != pixels) {
        throw new IllegalArgumentException("object " + ids[m] + " has " + p.length + " probabilities, object "
            + ids[0] + " has " + pixels + ": all maps must cover the same pixels");
      }
    }
    float[][] out = new float[objects][pixels];
    float[] background = new float[pixels];
    double[] odds = new double[objects];
    for (int i = 0; i < pixels; i++) {
      double backgroundEstimate = 1.0;
      for (int m = 0; m < objects; m++) {
        float p = probabilities[m][i];
        if (!(p >= 0f && p <= 1f)) {
          throw new IllegalArgumentException("object " + ids[m] + " pixel " + i + " has probability " + p
              + ", expected [0, 1]");
        }
        backgroundEstimate *= 1.0 - p;
        odds[m] = odds(p);
      }
      double total = odds(backgroundEstimate);
      for (int m = 0; m < objects; m++) {
        total += odds[m];
      }
      double foreground = 0;
      for (int m = 0; m < objects; m++) {
        float p = (float) (odds[m] / total);
        out[m][i] = p;
        foreground += p;
      }
      background[i] = (float) Math.max(0.0, 1.0 - foreground);
    }
    return new Result(ids, out, background);
  }

  private static double odds(double p) {
    double c = Math.min(Math.max(p, EPSILON), 1.0 - EPSILON);
    return c / (1.0 - c);
  }

  /**
   * Aggregated probabilities: per object in the given order, and the background. The arrays are shared, not copied
   * (they are per-pixel maps): do not modify them.
   */
  public static final class Result {
    private final int[] objectIds;
    private final float[][] objects;
    private final float[] background;

    private Result(int[] objectIds, float[][] objects, float[] background) {
      this.objectIds = objectIds;
      this.objects = objects;
      this.background = background;
    }

    /** The object ids, in the order given. */
    public int[] objectIds() {
      return objectIds.clone();
    }

    public int objectCount() {
      return objectIds.length;
    }

    public int pixelCount() {
      return background.length;
    }

    public float[] background() {
      return background;
    }

    /** Probabilities of the object at {@code index} in the id order. */
    public float[] objectAt(int index) {
      return objects[index];
    }

    /** Probabilities of object {@code objectId}. */
    public float[] object(int objectId) {
      for (int m = 0; m < objectIds.length; m++) {
        if (objectIds[m] == objectId) {
          return objects[m];
        }
      }
      throw new IllegalArgumentException("no object " + objectId + " (objects: " + Arrays.toString(objectIds) + ")");
    }

    /** Background then the objects in id order: the classes an argmax or {@link UncertaintyMap} runs over. */
    public float[][] classes() {
      float[][] classes = new float[objects.length + 1][];
      classes[0] = background;
      System.arraycopy(objects, 0, classes, 1, objects.length);
      return classes;
    }

    @Override
    public String toString() {
      return "SoftAggregation.Result{objects=" + Arrays.toString(objectIds) + ", pixels=" + background.length + "}";
    }
  }
}
