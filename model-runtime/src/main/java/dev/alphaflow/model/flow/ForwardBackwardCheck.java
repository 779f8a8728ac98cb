package dev.alphaflow.model.flow;

import java.util.Objects;

/**
 * Occlusion by forward-backward consistency (Sundaram, Brox and Keutzer, ECCV 2010): a pixel {@code x} of frame
 * {@code a} is occluded in {@code b} when following the forward flow and then the backward flow does not come back,
 * {@code |F(x) + B(x + F(x))|² > alpha1 (|F(x)|² + |B(x + F(x))|²) + alpha2}, or when {@code x + F(x)} leaves the
 * frame. {@code B} is sampled bilinearly with {@link FlowWarp}'s semantics.
 *
 * <p>To find which pixels of the current frame a warped previous-frame map cannot be trusted at, pass
 * {@code forward = flow(current → previous)} and {@code backward = flow(previous → current)}.
 */
public final class ForwardBackwardCheck {

  /** The published constants: a tolerance growing with the motion, plus half a pixel squared. */
  public static final ForwardBackwardCheck DEFAULT = new ForwardBackwardCheck(0.01f, 0.5f);

  private final float alpha1;
  private final float alpha2;

  public ForwardBackwardCheck(float alpha1, float alpha2) {
    if (!(alpha1 >= 0) || !(alpha2 >= 0)) {
      throw new IllegalArgumentException("alpha1 and alpha2 must be non-negative: " + alpha1 + ", " + alpha2);
    }
    this.alpha1 = alpha1;
    this.alpha2 = alpha2;
  }

  public float alpha1() {
    return alpha1;
  }

  public float alpha2() {
    return alpha2;
  }

  /** Per pixel of frame {@code a} (row-major): {@code true} where it is occluded in (or leaves) frame {@code b}. */
  public boolean[] occluded(FlowField forward, FlowField backward) {
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(backward, "backward");
    int w = forward.width();
    int h = forward.height();
    if (backward.width() != w || backward.height() != h) {
      throw new IllegalArgumentException("forward and backward flow differ in size: " + w + "x" + h + " and "
          + backward.width() + "x" + backward.height());
    }
    int n = w * h;
    float[] f = forward.data();
    // B sampled at x + F(x), both components at once: warping the two-plane field by F.
    float[] b = FlowWarp.warp(backward.data(), 2, forward);
    boolean[] occluded = new boolean[n];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        float fx = f[i];
        float fy = f[n + i];
        float tx = x + fx;
        float ty = y + fy;
        if (!(tx >= 0 && tx <= w - 1 && ty >= 0 && ty <= h - 1)) {
          occluded[i] = true;
          continue;
        }
        float bx = b[i];
        float by = b[n + i];
        float ex = fx + bx;
        float ey = fy + by;
        occluded[i] = ex * ex + ey * ey > alpha1 * (fx * fx + fy * fy + bx * bx + by * by) + alpha2;
      }
    }
    return occluded;
  }
}
