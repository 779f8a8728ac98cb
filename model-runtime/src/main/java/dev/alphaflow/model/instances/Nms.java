package dev.alphaflow.model.instances;

import java.util.Arrays;
import java.util.List;

/** Duplicate suppression for detections that are already sorted by descending score. */
public final class Nms {

  private Nms() {}

  /**
   * Greedy class-aware NMS: walking from the best score down, a box is dropped when its IoU with a kept box of the
   * same class exceeds {@code iouThreshold}.
   *
   * @return the indices kept, in score order
   */
  public static int[] classAware(List<Box> boxes, int[] classes, float iouThreshold) {
    int n = boxes.size();
    checkLength(n, classes.length);
    boolean[] suppressed = new boolean[n];
    int[] kept = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (suppressed[i]) {
        continue;
      }
      kept[count++] = i;
      Box box = boxes.get(i);
      for (int j = i + 1; j < n; j++) {
        if (!suppressed[j] && classes[j] == classes[i] && box.iou(boxes.get(j)) > iouThreshold) {
          suppressed[j] = true;
        }
      }
    }
    return Arrays.copyOf(kept, count);
  }

  /**
   * SOLOv2 matrix NMS: the decay factor of each detection, to multiply its score by. With {@code iou(i, j)} the
   * mask IoU of a better-scored {@code i} and {@code j} of the same class, and {@code compensate(i)} the largest
   * IoU of {@code i} with any better detection of its class:
   * {@code decay(j) = min(1, min over i < j of f(iou(i, j)) / f(compensate(i)))}, with
   * {@code f(x) = exp(-sigma * x^2)} (gaussian) or {@code 1 - x} (linear).
   */
  public static float[] matrixDecay(List<BinaryMask> masks, int[] classes, MatrixNmsKernel kernel, float sigma) {
    int n = masks.size();
    checkLength(n, classes.length);
    float[][] iou = new float[n][];
    float[] compensate = new float[n];
    for (int j = 0; j < n; j++) {
      iou[j] = new float[j];
      for (int i = 0; i < j; i++) {
        if (classes[i] == classes[j]) {
          float v = (float) masks.get(i).iou(masks.get(j));
          iou[j][i] = v;
          compensate[j] = Math.max(compensate[j], v);
        }
      }
    }
    float[] decay = new float[n];
    for (int j = 0; j < n; j++) {
      float d = 1f;
      for (int i = 0; i < j; i++) {
        if (classes[i] != classes[j]) {
          continue;
        }
        float v = iou[j][i];
        float c = compensate[i];
        float ratio;
        if (kernel == MatrixNmsKernel.GAUSSIAN) {
          ratio = (float) Math.exp(-sigma * (v * v - c * c));
        } else if (c >= 1f) {
          ratio = Float.POSITIVE_INFINITY; // i duplicates a better detection exactly: it suppresses nothing
        } else {
          ratio = (1f - v) / (1f - c);
        }
        d = Math.min(d, ratio);
      }
      decay[j] = d;
    }
    return decay;
  }

  private static void checkLength(int n, int classes) {
    if (classes != n) {
      throw new IllegalArgumentException(n + " detections but " + classes + " classes");
    }
  }
}
