package dev.alphaflow.model.eval;

import java.util.Arrays;

/**
 * Per-frame J and F of one object through one sequence, and their means. J&amp;F = (mean J + mean F) / 2.
 *
 * <p>The DAVIS toolkits score frames 1..n-2 (neither the prompt frame nor the last one); add only those frames, or
 * add all and take {@link #trimmed(int, int) trimmed(1, 1)}.
 */
public final class SequenceScores {

  private double[] j = new double[16];
  private double[] f = new double[16];
  private int size;

  /** Adds one frame's J and F. */
  public SequenceScores add(double frameJ, double frameF) {
    if (size == j.length) {
      j = Arrays.copyOf(j, size * 2);
      f = Arrays.copyOf(f, size * 2);
    }
    j[size] = frameJ;
    f[size] = frameF;
    size++;
    return this;
  }

  /** Scores one frame's masks with {@link SegmentationMetrics} and adds them. */
  public SequenceScores add(boolean[] predicted, boolean[] truth, int width, int height) {
    return add(SegmentationMetrics.regionJ(predicted, truth),
        SegmentationMetrics.boundaryF(predicted, truth, width, height));
  }

  public int frames() {
    return size;
  }

  public double[] frameJ() {
    return Arrays.copyOf(j, size);
  }

  public double[] frameF() {
    return Arrays.copyOf(f, size);
  }

  /** Mean J over the frames added; NaN when none. */
  public double meanJ() {
    return mean(j);
  }

  /** Mean F over the frames added; NaN when none. */
  public double meanF() {
    return mean(f);
  }

  /** (mean J + mean F) / 2. */
  public double meanJF() {
    return (meanJ() + meanF()) / 2;
  }

  /** A copy without the first {@code head} and last {@code tail} frames. */
  public SequenceScores trimmed(int head, int tail) {
    if (head < 0 || tail < 0) {
      throw new IllegalArgumentException("head and tail must be >= 0");
    }
    SequenceScores out = new SequenceScores();
    for (int i = head; i < size - tail; i++) {
      out.add(j[i], f[i]);
    }
    return out;
  }

  private double mean(double[] values) {
    if (size == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += values[i];
    }
    return sum / size;
  }

  @Override
  public String toString() {
    return String.format("SequenceScores[frames=%d, J=%.4f, F=%.4f, J&F=%.4f]", size, meanJ(), meanF(), meanJF());
  }
}
