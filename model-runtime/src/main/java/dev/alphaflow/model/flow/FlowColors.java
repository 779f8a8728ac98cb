package dev.alphaflow.model.flow;

import dev.alphaflow.model.image.RgbImage;
import java.util.Objects;

/**
 * Middlebury's colour coding of flow (Baker et al., IJCV 2011; the {@code flowToColor} of its devkit, as RAFT's
 * {@code flow_viz} ports it): hue = direction on a 55-colour wheel, saturation = magnitude / the largest magnitude
 * (or a given maximum), white at zero motion; pixels beyond the maximum are darkened.
 */
public final class FlowColors {

  private static final int[][] WHEEL = wheel();

  private FlowColors() {}

  /** Colours {@code flow} normalized by its own largest finite magnitude. */
  public static RgbImage toColor(FlowField flow) {
    Objects.requireNonNull(flow, "flow");
    float[] f = flow.data();
    int n = flow.pixelCount();
    double max = 0;
    for (int i = 0; i < n; i++) {
      double r = Math.hypot(f[i], f[n + i]);
      if (Double.isFinite(r)) {
        max = Math.max(max, r);
      }
    }
    return toColor(flow, max);
  }

  /** Colours {@code flow} with {@code maxMagnitude} px as full saturation (the same scale across frames). */
  public static RgbImage toColor(FlowField flow, double maxMagnitude) {
    Objects.requireNonNull(flow, "flow");
    float[] f = flow.data();
    int n = flow.pixelCount();
    double scale = maxMagnitude > 0 ? 1 / maxMagnitude : 0;
    byte[] rgb = new byte[3 * n];
    int colors = WHEEL.length;
    for (int i = 0; i < n; i++) {
      double u = f[i] * scale;
      double v = f[n + i] * scale;
      if (!Double.isFinite(u) || !Double.isFinite(v)) {
        continue; // unknown flow: black, as the devkit
      }
      double rad = Math.hypot(u, v);
      double a = Math.atan2(-v, -u) / Math.PI;
      double fk = (a + 1) / 2 * (colors - 1);
      int k0 = (int) Math.floor(fk);
      int k1 = (k0 + 1) % colors;
      double t = fk - k0;
      for (int c = 0; c < 3; c++) {
        double col = ((1 - t) * WHEEL[k0][c] + t * WHEEL[k1][c]) / 255.0;
        col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75;
        rgb[3 * i + c] = (byte) Math.floor(255 * col);
      }
    }
    return new RgbImage(flow.width(), flow.height(), rgb);
  }

  /** The Middlebury colour wheel: red-yellow 15, yellow-green 6, green-cyan 4, cyan-blue 11, blue-magenta 13, magenta-red 6. */
  private static int[][] wheel() {
    int[] segments = {15, 6, 4, 11, 13, 6};
    int[][] wheel = new int[55][];
    int k = 0;
    for (int s = 0; s < segments.length; s++) {
      for (int i = 0; i < segments[s]; i++, k++) {
        int ramp = (int) Math.floor(255.0 * i / segments[s]);
        wheel[k] = switch (s) {
          case 0 -> new int[] {255, ramp, 0};
          case 1 -> new int[] {255 - ramp, 255, 0};
          case 2 -> new int[] {0, 255, ramp};
          case 3 -> new int[] {0, 255 - ramp, 255};
          case 4 -> new int[] {ramp, 0, 255};
          default -> new int[] {255, 0, 255 - ramp};
        };
      }
    }
    return wheel;
  }
}
