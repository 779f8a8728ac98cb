package dev.alphaflow.model.flow;

import java.util.Objects;

/**
 * Backward warping by a flow field with bilinear sampling, in the semantics of PyTorch's
 * {@code grid_sample(input, grid, mode="bilinear", padding_mode="border", align_corners=True)} as RAFT and GMA use it:
 * output pixel {@code (x, y)} is the source sampled at {@code (x + dx, y + dy)}, pixel centres at integer
 * coordinates, the sample point clamped to the frame (border padding: values at the edge repeat outwards).
 *
 * <p>Maps are planar float arrays like a {@code [C, H, W]} tensor of the flow's size: a mask, probabilities or an
 * alpha matte ({@code C = 1}), or feature maps ({@code C > 1}). Nothing is allocated per pixel; the sample position
 * and weights are computed once per pixel and applied to every channel.
 */
public final class FlowWarp {

  private FlowWarp() {}

  /** {@code dst[c][y][x] = src[c] sampled at (x + dx(x, y), y + dy(x, y))}; {@code dst} must not be {@code src}. */
  public static void warp(float[] src, int channels, FlowField flow, float[] dst) {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(flow, "flow");
    Objects.requireNonNull(dst, "dst");
    int w = flow.width();
    int h = flow.height();
    int n = w * h;
    if (channels <= 0) {
      throw new IllegalArgumentException("channels must be positive: " + channels);
    }
    if (src.length != (long) channels * n || dst.length != src.length) {
      throw new IllegalArgumentException("warping " + channels + " channel(s) by a " + w + "x" + h + " flow needs "
          + ((long) channels * n) + " floats in and out, got " + src.length + " and " + dst.length);
    }
    if (src == dst) {
      throw new IllegalArgumentException("warping cannot be done in place: dst must be another array than src");
    }
    float[] f = flow.data();
    float maxX = w - 1;
    float maxY = h - 1;
    for (int y = 0; y < h; y++) {
      int row = y * w;
      for (int x = 0; x < w; x++) {
        int i = row + x;
        float sx = clamp(x + f[i], maxX);
        float sy = clamp(y + f[n + i], maxY);
        int x0 = (int) sx; // sx >= 0, so the cast floors
        int y0 = (int) sy;
        float wx = sx - x0;
        float wy = sy - y0;
        int stepX = x0 < w - 1 ? 1 : 0;
        int stepY = y0 < h - 1 ? w : 0;
        int topLeft = y0 * w + x0;
        for (int c = 0, plane = 0; c < channels; c++, plane += n) {
          int p = plane + topLeft;
          float top = src[p] + (src[p + stepX] - src[p]) * wx;
          float bottom = src[p + stepY] + (src[p + stepY + stepX] - src[p + stepY]) * wx;
          dst[plane + i] = top + (bottom - top) * wy;
        }
      }
    }
  }

  /** As {@link #warp(float[], int, FlowField, float[])}, into a new array. */
  public static float[] warp(float[] src, int channels, FlowField flow) {
    float[] dst = new float[src.length];
    warp(src, channels, flow, dst);
    return dst;
  }

  /** Clamps to {@code [0, max]}; a non-finite coordinate (a broken flow value) samples the nearest edge or 0. */
  private static float clamp(float v, float max) {
    if (v > 0) {
      return v < max ? v : max;
    }
    return 0; // also NaN
  }
}
