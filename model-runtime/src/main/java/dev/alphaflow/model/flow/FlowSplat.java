package dev.alphaflow.model.flow;

import java.util.Objects;

/**
 * Forward warping by summation splatting: each source pixel's value moves along its own flow vector {@code (dx, dy)}
 * to {@code (x + dx, y + dy)} and is shared bilinearly among the four pixels around that point; what lands on a pixel
 * adds up, what lands outside the frame is dropped. The flow here points from the source frame to the target frame
 * (the opposite of {@link FlowWarp}'s).
 *
 * <p>Why both: backward warping samples the source where the target pixel came from, which is right for every pixel
 * that was visible before; a pixel that has just come into view has no source, and its flow (a guess) then copies
 * whatever the source had there, for instance an object that moved away. Splatting moves only what was there:
 * nothing appears in newly visible areas, and a moving object leaves no copy behind. Mass is kept (inside the
 * frame), so where the flow converges the sums exceed one value and where it diverges gaps open: callers decide
 * (a mask caps at 1; its blur closes small gaps).
 */
public final class FlowSplat {

  private FlowSplat() {}

  /** The planar {@code [C, H, W]} {@code src} splatted along {@code flow} (source → target), summed, new array. */
  public static float[] sum(float[] src, int channels, FlowField flow) {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(flow, "flow");
    int w = flow.width();
    int h = flow.height();
    int n = w * h;
    if (channels <= 0) {
      throw new IllegalArgumentException("channels must be positive: " + channels);
    }
    if (src.length != (long) channels * n) {
      throw new IllegalArgumentException("splatting " + channels + " channel(s) along a " + w + "x" + h
          + " flow needs " + ((long) channels * n) + " floats, got " + src.length);
    }
    float[] f = flow.data();
    float[] dst = new float[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        float tx = x + f[i];
        float ty = y + f[n + i];
        if (!(tx > -1 && tx < w && ty > -1 && ty < h)) {
          continue; // lands wholly outside the frame (or the flow is not finite)
        }
        int x0 = (int) Math.floor(tx);
        int y0 = (int) Math.floor(ty);
        float wx = tx - x0;
        float wy = ty - y0;
        for (int c = 0, plane = 0; c < channels; c++, plane += n) {
          float v = src[plane + i];
          if (v == 0) {
            continue;
          }
          add(dst, plane, w, h, x0, y0, v * (1 - wx) * (1 - wy));
          add(dst, plane, w, h, x0 + 1, y0, v * wx * (1 - wy));
          add(dst, plane, w, h, x0, y0 + 1, v * (1 - wx) * wy);
          add(dst, plane, w, h, x0 + 1, y0 + 1, v * wx * wy);
        }
      }
    }
    return dst;
  }

  private static void add(float[] dst, int plane, int w, int h, int x, int y, float v) {
    if (x >= 0 && y >= 0 && x < w && y < h) {
      dst[plane + y * w + x] += v;
    }
  }
}
