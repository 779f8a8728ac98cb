package dev.alphaflow.model.rvm;

import dev.alphaflow.model.flow.FlowEstimator;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.ForwardBackwardCheck;
import java.util.Objects;

/**
 * Flow-guided temporal smoothing of an alpha matte: the previous frame's output alpha, warped to the current frame by
 * optical flow (current → previous, computed on small luma planes), is blended into the current alpha where the two
 * frames agree: the pixel is visible in both (forward-backward check) and the alphas differ by less than {@link
 * Options#maxChange()} (a larger change is real motion or a new object, and is left alone, so nothing ghosts).
 *
 * <p>{@code out = α + w · (warp(α_prev) − α)}, {@code w = weight · max(0, 1 − |warp(α_prev) − α| / maxChange)}: a
 * recursive filter along the flow, so its memory is the previous output, which the caller keeps (keyed state in a
 * job). Deterministic for the same inputs. Not thread-safe (the flow estimator is not).
 */
public final class TemporalAlphaFilter {

  /**
   * @param weight how much of the warped previous alpha to take where the frames agree, in [0, 1)
   * @param maxChange an alpha difference at or above which the current alpha is kept as it is, in (0, 1]
   */
  public record Options(float weight, float maxChange) {
    public Options {
      if (!(weight >= 0 && weight < 1)) {
        throw new IllegalArgumentException("weight must be in [0, 1): " + weight);
      }
      if (!(maxChange > 0 && maxChange <= 1)) {
        throw new IllegalArgumentException("maxChange must be in (0, 1]: " + maxChange);
      }
    }
  }

  private final FlowEstimator flow;
  private final Options options;

  public TemporalAlphaFilter(FlowEstimator flow, Options options) {
    this.flow = Objects.requireNonNull(flow, "flow");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * @param alpha the current frame's alpha, {@code width x height}, row-major (not changed)
   * @param previousAlpha the previous frame's output alpha, same size
   * @param luma the current frame's luma at the flow size {@code flowWidth x flowHeight}
   * @param previousLuma the previous frame's luma at the flow size
   * @return the smoothed alpha (a new array)
   */
  public float[] filter(float[] alpha, float[] previousAlpha, int width, int height, byte[] luma,
      byte[] previousLuma, int flowWidth, int flowHeight) {
    if (alpha.length != (long) width * height || previousAlpha.length != alpha.length) {
      throw new IllegalArgumentException("alphas of " + width + "x" + height + " needed, got " + alpha.length
          + " and " + previousAlpha.length + " values");
    }
    FlowField toPrevious = flow.estimateLuma(luma, previousLuma, flowWidth, flowHeight);
    FlowField fromPrevious = flow.estimateLuma(previousLuma, luma, flowWidth, flowHeight);
    boolean[] occluded = ForwardBackwardCheck.DEFAULT.occluded(toPrevious, fromPrevious);
    float[] f = toPrevious.data();
    int fn = flowWidth * flowHeight;
    // Flow and occlusion are looked up at the nearest flow-grid point (pixel centres aligned), the vector scaled to
    // the alpha's size; the previous alpha is sampled bilinearly there (border padding, as FlowWarp).
    float sx = (float) flowWidth / width;
    float sy = (float) flowHeight / height;
    float scaleX = (float) width / flowWidth;
    float scaleY = (float) height / flowHeight;
    float[] out = new float[alpha.length];
    float weight = options.weight();
    float maxChange = options.maxChange();
    for (int y = 0; y < height; y++) {
      int fy = Math.min(flowHeight - 1, (int) ((y + 0.5f) * sy));
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int fx = Math.min(flowWidth - 1, (int) ((x + 0.5f) * sx));
        int fi = fy * flowWidth + fx;
        float a = alpha[i];
        if (occluded[fi]) {
          out[i] = a;
          continue;
        }
        float warped = bilinear(previousAlpha, width, height, x + f[fi] * scaleX, y + f[fn + fi] * scaleY);
        float d = warped - a;
        float w = weight * Math.max(0f, 1f - Math.abs(d) / maxChange);
        out[i] = a + w * d;
      }
    }
    return out;
  }

  private static float bilinear(float[] src, int w, int h, float x, float y) {
    float cx = x >= 0 ? Math.min(x, w - 1) : 0; // NaN also goes to 0
    float cy = y >= 0 ? Math.min(y, h - 1) : 0;
    int x0 = (int) cx;
    int y0 = (int) cy;
    float wx = cx - x0;
    float wy = cy - y0;
    int stepX = x0 < w - 1 ? 1 : 0;
    int stepY = y0 < h - 1 ? w : 0;
    int p = y0 * w + x0;
    float top = src[p] + (src[p + stepX] - src[p]) * wx;
    float bottom = src[p + stepY] + (src[p + stepY + stepX] - src[p + stepY]) * wx;
    return top + (bottom - top) * wy;
  }
}
